//! The table of an agent's inputs (`Agent::INPUTS`): their JSON Schema for tool definitions,
//! and the checks that name the field of every problem in JSON inputs.

use std::fmt;

use serde_json::{json, Map, Value};

/// The JSON key of the free-form instructions in an agent's input schema and tool arguments.
pub const INSTRUCTIONS_KEY: &str = "instructions";

/// The JSON key of the invocation context in the input schema of an agent that has contexts.
pub const CONTEXT_KEY: &str = "invocation_context";

/// `InputKind` with the scalar input types of `agentbind-vocab`, `List` and `Enum`, and the
/// [`InputType`](crate::__private_v0_3::InputType) of each scalar's Rust type.
macro_rules! input_kind_enum {
    ($($variant:ident $word:literal [$($alias:literal),*] {$($rust_type:tt)*} $doc:literal),* $(,)?) => {
        $(
            impl crate::__private_v0_3::InputType for $($rust_type)* {
                const KIND: InputKind<'static> = InputKind::$variant;
            }
        )*

        /// The declared type of an input (`InputKind<'static>` in generated code; an agent
        /// loaded at run time borrows its own labels).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum InputKind<'a> {
            $( #[doc = $doc] $variant, )*
            /// `list[T]`.
            List(&'a InputKind<'a>),
            /// `string` with `enum:` values.
            Enum(&'a [&'a str]),
        }

        impl InputKind<'_> {
            /// The type as the file writes it (`list[string]`; an enum is `string`).
            pub fn file_name(&self) -> String {
                match self {
                    $( InputKind::$variant => $word.into(), )*
                    InputKind::Enum(_) => "string".into(),
                    InputKind::List(inner) => format!("list[{}]", inner.file_name()),
                }
            }
        }
    };
}
agentbind_vocab::input_types!(input_kind_enum);

impl InputKind<'_> {
    /// The JSON Schema of a value of this type.
    pub fn json_schema(&self) -> Value {
        match self {
            InputKind::String | InputKind::FilePath => json!({"type": "string"}),
            InputKind::Markdown => json!({"type": "string", "description": "Markdown text."}),
            InputKind::FileContent => json!({"type": "string", "description": "The content of a file."}),
            InputKind::Object => json!({"type": "object"}),
            InputKind::Integer => json!({"type": "integer"}),
            InputKind::Number => json!({"type": "number"}),
            InputKind::Boolean => json!({"type": "boolean"}),
            InputKind::List(inner) => json!({"type": "array", "items": inner.json_schema()}),
            InputKind::Enum(labels) => json!({"type": "string", "enum": labels}),
        }
    }

    /// Checks that `value` is of this type; every problem is pushed, naming `path`.
    fn check(&self, value: &Value, path: &str, problems: &mut Vec<InputProblem>) {
        let fits = match (self, value) {
            (
                InputKind::String | InputKind::Markdown | InputKind::FileContent | InputKind::FilePath,
                Value::String(_),
            ) => true,
            (InputKind::Object, Value::Object(_)) => true,
            (InputKind::Integer, Value::Number(n)) => n.is_i64(),
            (InputKind::Number, Value::Number(_)) | (InputKind::Boolean, Value::Bool(_)) => true,
            (InputKind::Enum(labels), Value::String(label)) => {
                if !labels.contains(&label.as_str()) {
                    problems.push(InputProblem::NotALabel {
                        field: path.to_owned(),
                        found: label.clone(),
                        allowed: labels.iter().map(|l| (*l).to_owned()).collect(),
                    });
                }
                true
            }
            (InputKind::List(inner), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    inner.check(item, &format!("{path}[{i}]"), problems);
                }
                true
            }
            _ => false,
        };
        if !fits {
            problems.push(InputProblem::WrongType {
                field: path.to_owned(),
                expected: self.file_name(),
                found: json_type(value),
            });
        }
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One input of an agent, as its file declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct InputField<'a> {
    /// The input's name in the file.
    pub name: &'a str,
    /// The `Input` field (and JSON key) it becomes, without `r#`.
    pub field: &'a str,
    /// The heading it is written under in the prompt (`Task Description`).
    pub heading: &'a str,
    /// Its type.
    pub kind: InputKind<'a>,
    /// Whether it is required (`required_context`).
    pub required: bool,
    /// Its description in the file, as written (empty when it has none).
    pub description: &'a str,
}

impl<'a> InputField<'a> {
    /// An input; what generated `Agent::INPUTS` tables, and the tables of agents loaded at
    /// run time, are made of.
    pub const fn new(
        name: &'a str,
        field: &'a str,
        heading: &'a str,
        kind: InputKind<'a>,
        required: bool,
        description: &'a str,
    ) -> Self {
        Self { name, field, heading, kind, required, description }
    }
}

/// [`input_schema`] in the subset that strict tool calling accepts (OpenAI's `strict: true`,
/// Anthropic's strict tools): every property required, optional ones nullable (`null` is
/// read as absent), no `title`. `None` when an input is a free-form `object`, which a strict
/// schema cannot describe.
pub(crate) fn strict_input_schema(schema: Value, inputs: &[InputField]) -> Option<Value> {
    fn free_object(kind: &InputKind) -> bool {
        match kind {
            InputKind::Object => true,
            InputKind::List(inner) => free_object(inner),
            _ => false,
        }
    }
    if inputs.iter().any(|input| free_object(&input.kind)) {
        return None;
    }
    let Value::Object(mut schema) = schema else { return None };
    schema.remove("title");
    let required: Vec<Value> = schema.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for (key, property) in properties.iter_mut() {
            if !required.iter().any(|r| r == key.as_str()) {
                *property = json!({"anyOf": [property.take(), {"type": "null"}]});
            }
        }
        let all: Vec<Value> = properties.keys().map(|k| Value::from(k.as_str())).collect();
        schema.insert("required".into(), all.into());
    }
    Some(Value::Object(schema))
}

/// See [`DynAgent::input_schema`](crate::DynAgent::input_schema).
pub(crate) fn input_schema(
    name: &str,
    description: &str,
    inputs: &[InputField],
    contexts: &[(&str, Option<&str>)],
) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for input in inputs {
        let mut schema = input.kind.json_schema();
        if !input.description.is_empty() {
            schema["description"] = input.description.into();
        }
        properties.insert(input.field.to_owned(), schema);
        if input.required {
            required.push(Value::from(input.field));
        }
    }
    if !takes_key(inputs, INSTRUCTIONS_KEY) {
        let text = if inputs.is_empty() {
            "The task for the agent, in free-form text."
        } else {
            "Further instructions, in free-form text, given after the inputs."
        };
        properties.insert(INSTRUCTIONS_KEY.into(), json!({"type": "string", "description": text}));
        if inputs.is_empty() {
            required.push(INSTRUCTIONS_KEY.into());
        }
    }
    if !contexts.is_empty() && !takes_key(inputs, CONTEXT_KEY) {
        let names: Vec<&str> = contexts.iter().map(|(name, _)| *name).collect();
        properties.insert(
            CONTEXT_KEY.into(),
            json!({"type": "string", "enum": names, "description": "The invocation context, when the agent runs in one."}),
        );
    }
    json!({
        "title": name,
        "description": description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// Whether `key` is the JSON key of one of `inputs`.
pub(crate) fn takes_key(inputs: &[InputField], key: &str) -> bool {
    inputs.iter().any(|i| i.field == key)
}

/// Checks JSON `inputs` against the table: an object, no unknown keys, every required input
/// present, every value of its type. Every problem is returned.
pub(crate) fn check_inputs(inputs: &Value, table: &[InputField]) -> Vec<InputProblem> {
    let Value::Object(object) = inputs else {
        return vec![InputProblem::NotAnObject { found: json_type(inputs) }];
    };
    let mut problems = Vec::new();
    for key in object.keys() {
        if !takes_key(table, key) {
            problems.push(InputProblem::UnknownField {
                field: key.clone(),
                known: table.iter().map(|i| i.field.to_owned()).collect(),
            });
        }
    }
    for input in table {
        match object.get(input.field) {
            None | Some(Value::Null) if input.required => problems.push(InputProblem::MissingField {
                field: input.field.to_owned(),
                kind: input.kind.file_name(),
            }),
            None | Some(Value::Null) => {}
            Some(value) => input.kind.check(value, input.field, &mut problems),
        }
    }
    problems
}

/// One problem of JSON inputs, naming its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputProblem {
    /// The inputs are not a JSON object.
    NotAnObject {
        /// What they are.
        found: &'static str,
    },
    /// A key that is no input of the agent.
    UnknownField {
        /// The key.
        field: String,
        /// The keys the agent takes.
        known: Vec<String>,
    },
    /// A required input is absent (or `null`).
    MissingField {
        /// The input's field.
        field: String,
        /// Its type.
        kind: String,
    },
    /// A value of the wrong JSON type.
    WrongType {
        /// The field, with the index of a list item (`acceptance_criteria[2]`).
        field: String,
        /// The input's type.
        expected: String,
        /// The JSON type found.
        found: &'static str,
    },
    /// An enum input's value outside its labels.
    NotALabel {
        /// The field.
        field: String,
        /// The value found.
        found: String,
        /// The labels it takes.
        allowed: Vec<String>,
    },
    /// An invocation context the agent does not have.
    UnknownContext {
        /// The name found.
        found: String,
        /// The agent's contexts.
        allowed: Vec<String>,
    },
    /// The prompt of a Task call could not be read back into the agent's inputs.
    UnreadablePrompt {
        /// Why.
        reason: String,
    },
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputProblem::NotAnObject { found } => write!(f, "the inputs must be a JSON object, not {found}"),
            InputProblem::UnknownField { field, known } => {
                write!(f, "`{field}` is not an input of the agent (it takes: {})", known.join(", "))
            }
            InputProblem::MissingField { field, kind } => {
                write!(f, "missing required input `{field}` ({kind})")
            }
            InputProblem::WrongType { field, expected, found } => {
                write!(f, "input `{field}` must be {expected}, not {found}")
            }
            InputProblem::NotALabel { field, found, allowed } => {
                write!(f, "input `{field}` is `{found}`, expected one of: {}", allowed.join(", "))
            }
            InputProblem::UnknownContext { found, allowed } if allowed.is_empty() => {
                write!(f, "the agent has no invocation contexts, but `{found}` was asked for")
            }
            InputProblem::UnknownContext { found, allowed } => {
                write!(f, "unknown invocation context `{found}`, expected one of: {}", allowed.join(", "))
            }
            InputProblem::UnreadablePrompt { reason } => {
                write!(f, "the prompt cannot be read as inputs: {reason}")
            }
        }
    }
}

/// JSON inputs that do not fit an agent's `input_schema`; lists every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The agent's name.
    pub agent: String,
    /// Every problem, each naming its field.
    pub problems: Vec<InputProblem>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid inputs for agent `{}`", self.agent)?;
        match self.problems.as_slice() {
            [one] => write!(f, ": {one}"),
            many => {
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for InputError {}
