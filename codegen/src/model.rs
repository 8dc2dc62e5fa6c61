//! The validated, typed model of one agent file: everything emission needs, nothing more.

use crate::pattern::PatternShape;
use crate::source::Pos;

/// One agent file, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// The file as the user named it.
    pub display_path: String,
    /// The file's absolute path (tracked for rebuilds), when it was read from disk.
    pub tracked_path: Option<String>,
    /// `name`.
    pub name: String,
    /// Where the `name` value is (the frontmatter's start when there is none).
    pub name_pos: Pos,
    /// `description`.
    pub description: String,
    /// `model` as written; `inherit` when absent.
    pub model: String,
    /// `model`, typed.
    pub model_kind: ModelKind,
    /// `version`.
    pub version: Option<String>,
    /// `last_updated`.
    pub last_updated: Option<String>,
    /// `type` (specialist, reviewer, exploration, planning, analyst...).
    pub kind: Option<String>,
    /// `changelog` entries, newest first as in the file.
    pub changelog: Vec<String>,
    /// `tools`, typed.
    pub tools: Vec<ToolSpec>,
    /// `color`.
    pub color: Option<String>,
    /// `output_schema.format`.
    pub format: Option<String>,
    /// Inputs: required ones first, in file order, then optional ones.
    pub inputs: Vec<InputSpec>,
    /// Reply sections, in file order.
    pub sections: Vec<SectionSpec>,
    /// Invocation contexts named by `required_when`, in order of first appearance.
    pub contexts: Vec<ContextSpec>,
    /// Metrics, in file order.
    pub metrics: Vec<MetricSpec>,
    /// `error_handling`.
    pub error_handling: Option<ErrorHandlingSpec>,
    /// The other Claude Code keys.
    pub claude_code: ClaudeCodeSpec,
    /// Whether the frontmatter is not strict YAML and was read as Claude Code reads it.
    pub lenient: bool,
    /// Keys agentbind does not type, kept for the docs as `key: value` text.
    pub other_keys: Vec<(String, String)>,
    /// The markdown body: the system prompt.
    pub body: String,
    /// Where `body` starts in the file, in bytes (generated code slices the file there).
    pub body_offset: usize,
}

/// One input (`input_schema.required_context` / `optional_context` entry).
#[derive(Debug, Clone, PartialEq)]
pub struct InputSpec {
    /// The name in the file.
    pub name: String,
    /// The Rust field name.
    pub field: String,
    /// The heading it is written under in the prompt (`Task Description`).
    pub heading: String,
    /// `description`.
    pub description: Option<String>,
    /// The type.
    pub ty: InputType,
    /// Whether it is in `required_context`.
    pub required: bool,
    /// Where the entry's name is.
    pub pos: Pos,
}

agentbind_vocab::input_types!(closed_vocab_enum
    /// A scalar input type (`string`, `markdown`, `file_content`...).
    ScalarType;
);

/// The type of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum InputType {
    /// A scalar type: `string` -> `String`, `markdown` -> `agentbind::Markdown`...
    Scalar(ScalarType),
    /// `list[T]` -> `Vec<T>`; `list` is `list[string]`.
    List(Box<InputType>),
    /// `string` with `enum:` -> a generated enum.
    Enum(EnumSpec),
}

impl InputType {
    /// The type as written in the file, for docs.
    pub fn file_name(&self) -> String {
        match self {
            InputType::Scalar(scalar) => scalar.file_name().into(),
            InputType::List(inner) => format!("list[{}]", inner.file_name()),
            InputType::Enum(e) => format!("string, one of {}", e.labels().join(", ")),
        }
    }
}

/// A generated enum: from an input's `enum:` values or a section's alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumSpec {
    /// The Rust type name.
    pub type_name: String,
    /// (label in the file, Rust variant name), in file order.
    pub variants: Vec<(String, String)>,
}

impl EnumSpec {
    /// The labels, in file order.
    pub fn labels(&self) -> Vec<&str> {
        self.variants.iter().map(|(label, _)| label.as_str()).collect()
    }
}

/// One reply section (`output_schema.required_sections` entry).
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSpec {
    /// The name in the file.
    pub name: String,
    /// The `Section` variant name.
    pub variant: String,
    /// The `Output` field name.
    pub field: String,
    /// The pattern as written.
    pub pattern: String,
    /// What the pattern describes.
    pub shape: PatternShape,
    /// For a value section, its enum.
    pub value_enum: Option<EnumSpec>,
    /// When the section is required.
    pub requirement: RequirementSpec,
    /// `description`.
    pub description: Option<String>,
    /// The GBNF expression of its heading lines ([`grammar::heading_grammar`]), or why the
    /// pattern has none.
    ///
    /// [`grammar::heading_grammar`]: crate::grammar::heading_grammar
    pub heading_grammar: Result<String, String>,
}

impl SectionSpec {
    /// Whether every matching line is a new occurrence.
    pub fn is_repeated(&self) -> bool {
        matches!(self.shape, PatternShape::Repeated | PatternShape::Value { single: false, .. })
    }
}

/// When a section is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequirementSpec {
    /// `required: true`.
    Required,
    /// `required: false`.
    Optional,
    /// `required_when`: indexes into [`AgentSpec::contexts`].
    RequiredIn(Vec<usize>),
}

/// An invocation context (`required_when.invocation_context`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextSpec {
    /// The name in the file (`dev-refactor`).
    pub name: String,
    /// The variant name (`DevRefactor`).
    pub variant: String,
    /// `prompt_contains`: the marker a prompt in this context carries.
    pub marker: Option<String>,
}

/// One metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricSpec {
    /// The name in the file.
    pub name: String,
    /// The `Metrics` field name.
    pub field: String,
    /// The `Metric` variant name.
    pub variant: String,
    /// The declared type.
    pub kind: MetricKind,
    /// `description`.
    pub description: Option<String>,
}

agentbind_vocab::metric_types!(closed_vocab_enum
    /// The type of a metric.
    MetricKind;
);

/// `error_handling`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorHandlingSpec {
    /// `on_blocker`.
    pub on_blocker: String,
    /// `escalation_path`.
    pub escalation_path: String,
}

/// One entry of `tools` or `disallowedTools`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolSpec {
    /// A built-in tool: (name in the file, `agentbind::Tool` variant).
    Builtin(&'static str, &'static str),
    /// `mcp__<server>__<tool>` (`tool` empty for `mcp__<server>`).
    Mcp {
        /// The server.
        server: String,
        /// The tool.
        tool: String,
    },
    /// `Name(argument)`.
    Scoped {
        /// The tool's name.
        name: String,
        /// The text between the parentheses.
        argument: String,
    },
    /// Anything else.
    Other(String),
}

impl ToolSpec {
    /// The entry as written.
    pub fn text(&self) -> String {
        match self {
            ToolSpec::Builtin(name, _) => (*name).to_owned(),
            ToolSpec::Mcp { server, tool } if tool.is_empty() => format!("mcp__{server}"),
            ToolSpec::Mcp { server, tool } => format!("mcp__{server}__{tool}"),
            ToolSpec::Scoped { name, argument } => format!("{name}({argument})"),
            ToolSpec::Other(text) => text.clone(),
        }
    }
}

agentbind_vocab::model_aliases!(closed_vocab_enum
    /// A model alias (`sonnet`, `opus`, `haiku`, `inherit`).
    ModelAlias;
);

/// `model`, typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// An alias; `inherit` when `model` is absent.
    Alias(ModelAlias),
    /// A full model id (`claude-...`).
    Id,
}

impl ModelKind {
    /// The name of the runtime's `Model` variant.
    pub fn variant(self) -> &'static str {
        match self {
            ModelKind::Alias(alias) => alias.variant(),
            ModelKind::Id => "Id",
        }
    }
}

/// The Claude Code keys besides `name`, `description`, `tools`, `model` and `color`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaudeCodeSpec {
    /// `disallowedTools`.
    pub disallowed_tools: Vec<ToolSpec>,
    /// `permissionMode`.
    pub permission_mode: Option<String>,
    /// `maxTurns`.
    pub max_turns: Option<u32>,
    /// `skills`.
    pub skills: Vec<String>,
    /// `mcpServers`: server names.
    pub mcp_servers: Vec<String>,
    /// `hooks`, summarized as text.
    pub hooks: Option<String>,
    /// `memory`.
    pub memory: Option<String>,
    /// `background`.
    pub background: Option<bool>,
    /// `effort`.
    pub effort: Option<String>,
    /// `isolation`.
    pub isolation: Option<String>,
    /// `initialPrompt`.
    pub initial_prompt: Option<String>,
}
