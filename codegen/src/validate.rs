//! Validation: the YAML node tree of a frontmatter becomes an [`AgentSpec`], and every problem
//! found on the way becomes a located diagnostic. Validation does not stop at the first
//! problem.

// Small maps (a few names per agent): a B-tree is cheaper than hashing here.
use std::collections::BTreeMap as Map;

mod claude;
mod diagnostics;
mod rules;

use crate::diagnostic::Error;
use crate::model::{
    AgentSpec, ContextSpec, EnumSpec, ErrorHandlingSpec, InputSpec, InputType, MetricKind, MetricSpec,
    RequirementSpec, ScalarType, SectionSpec,
};
use crate::naming;
use crate::pattern::{self, PatternShape};
use crate::source::{Pos, Source};
use crate::yaml::{self, Node, Value};
use diagnostics::Diagnostics;

/// Type names that every generated module defines.
const GENERATED_TYPES: &[&str] =
    &["Agent", "Input", "Output", "Section", "InvocationContext", "Metrics", "Metric"];

/// "expected one of" for an input type.
fn input_types() -> String {
    format!("{}, list, list[<type>]", crate::vocab::words(agentbind_vocab::INPUT_TYPES))
}

/// "expected one of" for a metric type.
fn metric_types() -> String {
    crate::vocab::words(agentbind_vocab::METRIC_TYPES)
}

/// Reads, parses and validates one agent file.
pub fn validate(source: &Source) -> Result<AgentSpec, Error> {
    let parts = source.parts()?;
    let (root, lenient) = match yaml::parse(parts.frontmatter, parts.frontmatter_line) {
        Ok(root) => (root, false),
        Err(e) => {
            // Claude Code reads some files that are not strict YAML; so does agentbind (see
            // `lenient`). Budget errors (alias bombs, deep nesting) are never recovered.
            let recovered = (!e.is_budget)
                .then(|| crate::lenient::recover(parts.frontmatter, parts.frontmatter_line))
                .flatten();
            match recovered {
                Some(root) => (root, true),
                None => {
                    let at = Pos { line: e.line + parts.frontmatter_line - 1, column: e.column };
                    let message = format!("invalid YAML in frontmatter: {}", e.message);
                    return Err(Error::new(vec![source.diagnostic(at, message, None)]));
                }
            }
        }
    };
    let mut validator = Validator::new(source);
    let mut spec = validator.agent(&root, parts.body);
    rules::check(&mut validator.diags, &spec, &validator.facts);
    spec.lenient = lenient;
    // The body is a suffix of the file (only leading line breaks are trimmed).
    debug_assert!(source.text.ends_with(&spec.body));
    spec.body_offset = source.text.len() - spec.body.len();
    validator.diags.into_result(spec)
}

/// A name already taken in one Rust namespace, and what took it.
struct Taken {
    what: String,
    pos: Pos,
}

struct Validator<'a> {
    diags: Diagnostics<'a>,
    /// Module-level type names: generated ones and the enums of inputs and sections.
    types: Map<String, Taken>,
    /// What the cross-field rules need.
    facts: rules::Facts,
}

impl<'a> Validator<'a> {
    fn new(source: &'a Source) -> Self {
        Self { diags: Diagnostics::new(source), types: Map::new(), facts: rules::Facts::default() }
    }

    /// Reports every key of the mapping `item` that is not one of `known`: a misspelt key is
    /// a mistake, not something to ignore.
    fn known_keys(&mut self, item: &Node, known: &[&str], what: &str) {
        for (key, _) in item.entries().unwrap_or_default() {
            let Value::Str(key_text) = &key.value else { continue };
            if !known.contains(&key_text.as_str()) {
                self.diags.error_help(
                    key.pos,
                    format!("unknown key `{key_text}` in {what}"),
                    format!("the keys of {what} are: {}", known.join(", ")),
                );
            }
        }
    }

    fn agent(&mut self, root: &Node, body: &str) -> AgentSpec {
        let mut spec = AgentSpec {
            display_path: self.diags.path().to_owned(),
            tracked_path: None,
            name: String::new(),
            name_pos: root.pos,
            description: String::new(),
            model: "inherit".into(),
            model_kind: crate::model::ModelKind::Alias(crate::model::ModelAlias::Inherit),
            version: None,
            last_updated: None,
            kind: None,
            changelog: Vec::new(),
            tools: Vec::new(),
            color: None,
            format: None,
            inputs: Vec::new(),
            sections: Vec::new(),
            contexts: Vec::new(),
            metrics: Vec::new(),
            error_handling: None,
            claude_code: Default::default(),
            lenient: false,
            other_keys: Vec::new(),
            body: body.trim_start_matches(['\r', '\n']).to_owned(),
            body_offset: 0,
        };
        let Some(entries) = root.entries() else {
            self.diags.error(
                root.pos,
                format!("the frontmatter must be a mapping of keys, found {}", root.value.kind()),
            );
            return spec;
        };
        let mut metrics_node = None;
        let mut error_handling_node = None;
        for (key, value) in entries {
            let Some(key_text) = self.key(key) else { continue };
            match key_text.as_str() {
                "name" => {
                    spec.name = self.text(value, "name").unwrap_or_default();
                    spec.name_pos = value.pos;
                }
                "description" => spec.description = self.text(value, "description").unwrap_or_default(),
                "model" => (spec.model, spec.model_kind) = self.model(value),
                "version" => spec.version = self.text(value, "version"),
                "last_updated" => spec.last_updated = self.text(value, "last_updated"),
                "type" => spec.kind = self.text(value, "type"),
                "color" => spec.color = self.text(value, "color"),
                "changelog" => spec.changelog = self.changelog(value),
                "tools" => spec.tools = self.tools(value, "tools"),
                "input_schema" => spec.inputs = self.input_schema(value),
                "output_schema" => {
                    self.output_schema(value, &mut spec, &mut metrics_node, &mut error_handling_node)
                }
                "metrics" => self.once(&mut metrics_node, value, "metrics"),
                "error_handling" => self.once(&mut error_handling_node, value, "error_handling"),
                key => {
                    if !self.claude_code_key(key, value, &mut spec.claude_code) {
                        spec.other_keys.push((key_text, summarize(value)));
                    }
                }
            }
        }
        if root.get("name").is_none() {
            self.diags.error_help(root.pos, "the frontmatter has no `name`", "add `name: my-agent`");
        }
        if root.get("description").is_none() {
            self.diags.error_help(
                root.pos,
                "the frontmatter has no `description`",
                "add `description: what the agent does`",
            );
        }
        if let Some(node) = metrics_node {
            spec.metrics = self.metrics(node);
        }
        if let Some(node) = error_handling_node {
            spec.error_handling = self.error_handling(node);
        }
        spec
    }

    /// Remembers `value` as the one `key` block (allowed at top level or in output_schema).
    fn once<'n>(&mut self, slot: &mut Option<&'n Node>, value: &'n Node, key: &str) {
        if slot.is_some() {
            self.diags
                .error(value.pos, format!("`{key}` is declared twice (at top level and in `output_schema`)"));
        } else {
            *slot = Some(value);
        }
    }

    // ----- scalar helpers -------------------------------------------------------------------

    fn key(&mut self, key: &Node) -> Option<String> {
        let text = key.scalar_text();
        if text.is_none() {
            self.diags.error(key.pos, format!("keys must be text, found {}", key.value.kind()));
        }
        text
    }

    /// A text value; numbers and booleans count as their source text.
    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        let text = node.scalar_text();
        if text.is_none() && node.value != Value::Null {
            self.diags.error(node.pos, format!("`{what}` must be text, found {}", node.value.kind()));
        }
        text
    }

    /// A required text value inside an entry.
    fn required_text(&mut self, entry: &Node, key: &str, what: &str) -> Option<(String, Pos)> {
        let Some(node) = entry.get(key) else {
            self.diags.error(entry.pos, format!("{what} has no `{key}`"));
            return None;
        };
        if let Some(text) = self.text(node, key).filter(|t| !t.trim().is_empty()) {
            return Some((text, node.pos));
        }
        // `text` has reported a value of the wrong kind; what is left is null or blank text.
        if node.value == Value::Null || node.scalar_text().is_some() {
            self.diags.error(node.pos, format!("`{key}` of {what} is empty"));
        }
        None
    }

    fn optional_text(&mut self, entry: &Node, key: &str) -> Option<String> {
        entry.get(key).and_then(|node| self.text(node, key))
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.diags.error_help(
                    node.pos,
                    format!("`{what}` must be `true` or `false`, found {}", node.value.kind()),
                    format!("write `{what}: true` or `{what}: false`, without quotes"),
                );
                None
            }
        }
    }

    /// The items of a list; `null` (a key with nothing after it) is an empty list.
    fn list<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            Value::Null => &[],
            other => {
                self.diags.error(node.pos, format!("`{what}` must be a list, found {}", other.kind()));
                &[]
            }
        }
    }

    /// Checks that `node` is a mapping; reports it otherwise.
    fn is_map(&mut self, node: &Node, what: &str) -> bool {
        let ok = node.entries().is_some();
        if !ok {
            self.diags.error(node.pos, format!("{what} must be a mapping, found {}", node.value.kind()));
        }
        ok
    }

    // ----- top-level blocks -----------------------------------------------------------------

    fn changelog(&mut self, node: &Node) -> Vec<String> {
        self.list(node, "changelog")
            .iter()
            .filter_map(|item| match &item.value {
                Value::Map(entries) => Some(
                    entries
                        .iter()
                        .map(|(k, v)| format!("{}: {}", k.scalar_text().unwrap_or_default(), summarize(v)))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                _ => self.text(item, "changelog entry"),
            })
            .collect()
    }

    fn input_schema(&mut self, node: &Node) -> Vec<InputSpec> {
        if !self.is_map(node, "`input_schema`") {
            return Vec::new();
        }
        self.known_keys(node, &["required_context", "optional_context"], "`input_schema`");
        let mut inputs = Vec::new();
        let mut names: Map<String, Pos> = Map::new();
        let mut fields: Map<String, Taken> = Map::new();
        for (key, required) in [("required_context", true), ("optional_context", false)] {
            let Some(list) = node.get(key) else { continue };
            for item in self.list(list, key) {
                if let Some(input) = self.input(item, required, &mut names, &mut fields) {
                    inputs.push(input);
                }
            }
        }
        inputs
    }

    fn input(
        &mut self,
        item: &Node,
        required: bool,
        names: &mut Map<String, Pos>,
        fields: &mut Map<String, Taken>,
    ) -> Option<InputSpec> {
        if !self.is_map(item, "an input") {
            return None;
        }
        self.known_keys(item, &["name", "type", "description", "enum"], "an input");
        let name = self.required_text(item, "name", "an input");
        let ty_node = item.get("type");
        let enum_node = item.get("enum");
        let description = self.optional_text(item, "description");
        let (name, pos) = name?;
        if !self.unique_name(names, &name, pos, "input") {
            return None;
        }
        let field = self.member_name(fields, &name, pos, "input", naming::snake)?;
        let ty = match ty_node {
            None => {
                self.diags.error_help(
                    item.pos,
                    format!("input `{name}` has no `type`"),
                    format!("add `type:` with one of: {}", input_types()),
                );
                return None;
            }
            Some(ty_node) => {
                let ty_text = self.text(ty_node, "type")?;
                let Some(ty) = parse_input_type(ty_text.trim()) else {
                    self.diags.error_help(
                        ty_node.pos,
                        format!("unknown input type `{ty_text}` for input `{name}`"),
                        format!("expected one of: {}", input_types()),
                    );
                    return None;
                };
                match enum_node {
                    None => ty,
                    Some(enum_node) if ty == InputType::Scalar(ScalarType::String) => {
                        InputType::Enum(self.enum_values(enum_node, &name, pos)?)
                    }
                    Some(enum_node) => {
                        self.diags.error(enum_node.pos, format!("`enum` is only allowed on inputs of type `string`, and `{name}` is `{ty_text}`"));
                        return None;
                    }
                }
            }
        };
        let heading = crate::naming::title(&name);
        Some(InputSpec { name, field, heading, description, ty, required, pos })
    }

    fn enum_values(&mut self, node: &Node, input: &str, input_pos: Pos) -> Option<EnumSpec> {
        let items = self.list(node, "enum");
        if items.is_empty() {
            self.diags.error(node.pos, format!("`enum` of input `{input}` has no values"));
            return None;
        }
        let labels: Vec<(String, Pos)> =
            items.iter().filter_map(|item| self.text(item, "enum value").map(|t| (t, item.pos))).collect();
        if labels.len() != items.len() {
            return None;
        }
        self.enum_spec(input, input_pos, &format!("input `{input}`"), &labels)
    }

    /// The enum named after `owner` (an input or a section) with `labels` as variants.
    fn enum_spec(
        &mut self,
        owner: &str,
        owner_pos: Pos,
        what: &str,
        labels: &[(String, Pos)],
    ) -> Option<EnumSpec> {
        let type_name = self.type_name(owner, owner_pos, what)?;
        let mut seen = Map::new();
        let mut variants_taken = Map::new();
        let mut variants = Vec::new();
        for (label, pos) in labels {
            if !self.unique_name(&mut seen, label, *pos, "value") {
                continue;
            }
            if let Some(variant) = self.member_name(&mut variants_taken, label, *pos, "value", naming::camel)
            {
                variants.push((label.clone(), variant));
            }
        }
        (variants.len() == labels.len()).then_some(EnumSpec { type_name, variants })
    }

    fn output_schema<'n>(
        &mut self,
        node: &'n Node,
        spec: &mut AgentSpec,
        metrics: &mut Option<&'n Node>,
        error_handling: &mut Option<&'n Node>,
    ) {
        if !self.is_map(node, "`output_schema`") {
            return;
        }
        let mut verdict_values = None;
        for (key, value) in node.entries().unwrap_or_default() {
            let Some(key_text) = self.key(key) else { continue };
            match key_text.as_str() {
                "format" => spec.format = self.text(value, "format"),
                "required_sections" => self.sections(value, spec),
                "metrics" => self.once(metrics, value, "metrics"),
                "error_handling" => self.once(error_handling, value, "error_handling"),
                "verdict_values" => verdict_values = Some(value),
                _ => spec.other_keys.push((format!("output_schema.{key_text}"), summarize(value))),
            }
        }
        if let Some(node) = verdict_values {
            self.verdict_values(node);
        }
    }

    fn sections(&mut self, node: &Node, spec: &mut AgentSpec) {
        let mut names = Map::new();
        let mut variants = Map::new();
        let mut fields = Map::new();
        let mut contexts: Vec<(ContextSpec, Pos)> = Vec::new();
        for item in self.list(node, "required_sections") {
            if !self.is_map(item, "a section") {
                continue;
            }
            self.known_keys(
                item,
                &["name", "pattern", "required", "required_when", "description"],
                "a section",
            );
            let name = self.required_text(item, "name", "a section");
            let pattern = self.required_text(item, "pattern", "a section");
            let description = self.optional_text(item, "description");
            let required_written = item.get("required").and_then(|n| self.boolean(n, "required"));
            let required = required_written.unwrap_or(true);
            let when = item.get("required_when").and_then(|n| self.required_when(n, &mut contexts));
            let Some((name, pos)) = name else { continue };
            let required_when = item.entries().unwrap_or_default().iter().find_map(|(k, _)| {
                matches!(&k.value, Value::Str(key) if key == "required_when").then_some(k.pos)
            });
            self.facts.sections.push(rules::SectionFacts {
                name: name.clone(),
                required: required_written,
                required_when,
            });
            if !self.unique_name(&mut names, &name, pos, "section") {
                continue;
            }
            let variant = self.member_name(&mut variants, &name, pos, "section", naming::camel);
            let Some((pattern, pattern_pos)) = pattern else { continue };
            let shape = match pattern::analyze(&pattern) {
                Ok(shape) => shape,
                Err(e) => {
                    self.diags.error_help(
                        pattern_pos,
                        format!("pattern of section `{name}`: {}", e.message),
                        e.help,
                    );
                    continue;
                }
            };
            let repeated =
                matches!(shape, PatternShape::Repeated | PatternShape::Value { single: false, .. });
            let field_name = if repeated { naming::plural_snake } else { naming::snake };
            let field = self.member_name(&mut fields, &name, pos, "section", field_name);
            let value_enum = match &shape {
                PatternShape::Value { labels, .. } => {
                    let labels: Vec<(String, Pos)> =
                        labels.iter().map(|l| (l.clone(), pattern_pos)).collect();
                    let Some(e) = self.enum_spec(&name, pos, &format!("section `{name}`"), &labels) else {
                        continue;
                    };
                    Some(e)
                }
                _ => None,
            };
            let (Some(variant), Some(field)) = (variant, field) else { continue };
            let requirement = match (required, when) {
                (true, _) => RequirementSpec::Required,
                (false, Some(index)) => RequirementSpec::RequiredIn(vec![index]),
                (false, None) => RequirementSpec::Optional,
            };
            let heading_grammar = crate::grammar::heading_grammar(&pattern);
            spec.sections.push(SectionSpec {
                name,
                variant,
                field,
                pattern,
                shape,
                value_enum,
                requirement,
                description,
                heading_grammar,
            });
        }
        spec.contexts = contexts.into_iter().map(|(c, _)| c).collect();
    }

    /// Reads `required_when` (a mapping, or a string expression such as
    /// `invocation_context == 'dev-refactor' AND prompt_contains == 'MODE: ANALYSIS ONLY'`) and
    /// returns the index of its context.
    fn required_when(&mut self, node: &Node, contexts: &mut Vec<(ContextSpec, Pos)>) -> Option<usize> {
        let conditions: Vec<(String, String, Pos)> = match &node.value {
            Value::Map(entries) => entries
                .iter()
                .filter_map(|(k, v)| Some((self.key(k)?, self.text(v, "condition")?, k.pos)))
                .collect(),
            Value::Str(expression) => match parse_condition_expression(expression) {
                Ok(conditions) => conditions.into_iter().map(|(k, v)| (k, v, node.pos)).collect(),
                Err(message) => {
                    self.diags.error_help(node.pos, format!("cannot read `required_when`: {message}"), "write `invocation_context == 'name'`, optionally `AND prompt_contains == 'marker'`, or a mapping with those keys");
                    return None;
                }
            },
            other => {
                self.diags.error(
                    node.pos,
                    format!(
                        "`required_when` must be a mapping or a condition string, found {}",
                        other.kind()
                    ),
                );
                return None;
            }
        };
        let mut context = None;
        let mut marker = None;
        for (key, value, pos) in conditions {
            match key.as_str() {
                "invocation_context" => context = Some((value, pos)),
                "prompt_contains" => marker = Some(value),
                other => {
                    self.diags.error_help(
                        pos,
                        format!("unsupported `required_when` condition `{other}`"),
                        "supported conditions: invocation_context, prompt_contains",
                    );
                    return None;
                }
            }
        }
        let Some((name, pos)) = context else {
            self.diags.error(node.pos, "`required_when` names no `invocation_context`");
            return None;
        };
        if let Some(index) = contexts.iter().position(|(c, _)| c.name == name) {
            let existing = &mut contexts[index].0;
            match (&existing.marker, marker) {
                (Some(a), Some(b)) if *a != b => {
                    self.diags
                        .error(pos, format!("context `{name}` is given two prompt markers: `{a}` and `{b}`"));
                    return None;
                }
                (None, Some(b)) => existing.marker = Some(b),
                _ => {}
            }
            return Some(index);
        }
        let variant = naming::camel(&name);
        let Some(variant) = variant else {
            self.diags.error(pos, format!("cannot make a Rust name from context `{name}`"));
            return None;
        };
        if let Some((other, _)) = contexts.iter().find(|(c, _)| c.variant == variant) {
            self.diags.error(
                pos,
                format!(
                    "contexts `{}` and `{name}` both become the Rust variant `InvocationContext::{variant}`",
                    other.name
                ),
            );
            return None;
        }
        contexts.push((ContextSpec { name, variant, marker }, pos));
        Some(contexts.len() - 1)
    }

    fn verdict_values(&mut self, node: &Node) {
        let values: Vec<String> =
            self.list(node, "verdict_values").iter().filter_map(|v| self.text(v, "verdict value")).collect();
        self.facts.verdict_values = Some((values, node.pos));
    }

    fn metrics(&mut self, node: &Node) -> Vec<MetricSpec> {
        let mut names = Map::new();
        let mut fields = Map::new();
        let mut variants = Map::new();
        let mut metrics = Vec::new();
        for item in self.list(node, "metrics") {
            if !self.is_map(item, "a metric") {
                continue;
            }
            self.known_keys(item, &["name", "type", "description"], "a metric");
            let name = self.required_text(item, "name", "a metric");
            let kind = self.required_text(item, "type", "a metric");
            let description = self.optional_text(item, "description");
            let Some((name, pos)) = name else { continue };
            if !self.unique_name(&mut names, &name, pos, "metric") {
                continue;
            }
            let field = self.member_name(&mut fields, &name, pos, "metric", naming::snake);
            let variant = self.member_name(&mut variants, &name, pos, "metric", naming::camel);
            let Some((kind_text, kind_pos)) = kind else { continue };
            let kind = match MetricKind::from_word(kind_text.trim()) {
                Some(kind) => kind,
                None => {
                    self.diags.error_help(
                        kind_pos,
                        format!("unknown metric type `{kind_text}` for metric `{name}`"),
                        format!("expected one of: {}", metric_types()),
                    );
                    continue;
                }
            };
            if let (Some(field), Some(variant)) = (field, variant) {
                metrics.push(MetricSpec { name, field, variant, kind, description });
            }
        }
        metrics
    }

    fn error_handling(&mut self, node: &Node) -> Option<ErrorHandlingSpec> {
        if !self.is_map(node, "`error_handling`") {
            return None;
        }
        let on_blocker = self.required_text(node, "on_blocker", "`error_handling`");
        let escalation_path = self.required_text(node, "escalation_path", "`error_handling`");
        Some(ErrorHandlingSpec { on_blocker: on_blocker?.0, escalation_path: escalation_path?.0 })
    }

    // ----- names ----------------------------------------------------------------------------

    /// Records `name` in `seen`; reports a duplicate.
    fn unique_name(&mut self, seen: &mut Map<String, Pos>, name: &str, pos: Pos, what: &str) -> bool {
        if let Some(first) = seen.get(name) {
            self.diags.error(
                pos,
                format!("duplicate {what} name `{name}` (first declared at line {})", first.line),
            );
            return false;
        }
        seen.insert(name.to_owned(), pos);
        true
    }

    /// The Rust name of a member (field or variant); reports names that collide once converted.
    fn member_name(
        &mut self,
        taken: &mut Map<String, Taken>,
        name: &str,
        pos: Pos,
        what: &str,
        convert: fn(&str) -> Option<String>,
    ) -> Option<String> {
        let Some(rust) = convert(name) else {
            self.diags.error(
                pos,
                format!("cannot make a Rust name from {what} `{name}`: it has no letters or digits"),
            );
            return None;
        };
        if let Some(first) = taken.get(&rust) {
            self.diags.error_help(
                pos,
                format!("{what}s `{}` and `{name}` both become the Rust name `{rust}`", first.what),
                format!("rename one of them (the first is at line {})", first.pos.line),
            );
            return None;
        }
        taken.insert(rust.clone(), Taken { what: name.to_owned(), pos });
        Some(rust)
    }

    /// The name of a generated enum; reports collisions with other module-level types.
    fn type_name(&mut self, owner: &str, pos: Pos, what: &str) -> Option<String> {
        let Some(rust) = naming::camel(owner) else {
            self.diags.error(pos, format!("cannot make a Rust type name from {what}"));
            return None;
        };
        if GENERATED_TYPES.contains(&rust.as_str()) {
            self.diags.error_help(
                pos,
                format!(
                    "the enum of {what} would be named `{rust}`, which is already agentbind's generated type"
                ),
                format!("`{rust}` is one of the types every agent module has; rename the {what}"),
            );
            return None;
        }
        if let Some(first) = self.types.get(&rust) {
            self.diags.error_help(
                pos,
                format!("the enum of {what} would be named `{rust}`, which is already {}", first.what),
                format!("rename one of them (the first is at line {})", first.pos.line),
            );
            return None;
        }
        self.types.insert(rust.clone(), Taken { what: format!("the enum of {what}"), pos });
        Some(rust)
    }
}

/// Parses an input type: `string`, `list[file_path]`...
fn parse_input_type(text: &str) -> Option<InputType> {
    if text == "list" {
        return Some(InputType::List(Box::new(InputType::Scalar(ScalarType::String))));
    }
    if let Some(inner) = text.strip_prefix("list[").and_then(|t| t.strip_suffix(']')) {
        return Some(InputType::List(Box::new(parse_input_type(inner.trim())?)));
    }
    ScalarType::from_word(text).map(InputType::Scalar)
}

/// Parses `key == 'value' AND key == "value"`.
fn parse_condition_expression(expression: &str) -> Result<Vec<(String, String)>, String> {
    let mut conditions = Vec::new();
    let mut rest = expression.trim();
    loop {
        let (key, after) =
            rest.split_once("==").ok_or_else(|| format!("expected `key == 'value'` in `{rest}`"))?;
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`{key}` is not a condition name"));
        }
        let after = after.trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '\'' || *c == '"')
            .ok_or_else(|| format!("the value of `{key}` must be quoted"))?;
        let close =
            after[1..].find(quote).ok_or_else(|| format!("the value of `{key}` has no closing quote"))?;
        conditions.push((key.to_owned(), after[1..1 + close].to_owned()));
        rest = after[close + 2..].trim_start();
        if rest.is_empty() {
            return Ok(conditions);
        }
        let upper = rest.get(..4).map(str::to_ascii_uppercase);
        if upper.as_deref() != Some("AND ") {
            return Err(format!("expected `AND` before `{rest}`"));
        }
        rest = rest[4..].trim_start();
    }
}

/// A short `key: value` text of an untyped value, for the docs.
fn summarize(node: &Node) -> String {
    match &node.value {
        Value::Null => String::new(),
        Value::Seq(items) => format!("[{}]", items.iter().map(summarize).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", k.scalar_text().unwrap_or_default(), summarize(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => node.scalar_text().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Result<AgentSpec, Error> {
        validate(&Source::from_text("a.md", text))
    }

    fn messages(text: &str) -> Vec<String> {
        spec(text)
            .unwrap_err()
            .diagnostics()
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn condition_expressions_parse() {
        let parsed = parse_condition_expression(
            "invocation_context == 'dev-refactor' AND prompt_contains == 'MODE: ANALYSIS ONLY'",
        )
        .unwrap();
        assert_eq!(
            parsed,
            vec![
                ("invocation_context".into(), "dev-refactor".into()),
                ("prompt_contains".into(), "MODE: ANALYSIS ONLY".into())
            ]
        );
        assert!(parse_condition_expression("invocation_context = 'x'").is_err());
        assert!(parse_condition_expression("invocation_context == 'x' OR y == 'z'").is_err());
    }

    #[test]
    fn unknown_keys_of_inputs_sections_and_metrics_are_errors() {
        let text = "---
name: a
description: b
input_schema:
  required_context:
    - name: task
      type: string
      desciption: typo
  optinal_context: []
output_schema:
  required_sections:
    - name: Summary
      pattern: \"^## Summary\"
      requird: false
  metrics:
    - name: files
      type: integer
      unit: files
---
";
        assert_eq!(
            messages(text),
            [
                "8:7 unknown key `desciption` in an input",
                "9:3 unknown key `optinal_context` in `input_schema`",
                "14:7 unknown key `requird` in a section",
                "18:7 unknown key `unit` in a metric",
            ]
        );
        let help = spec(text).unwrap_err().diagnostics()[0].help.clone().unwrap();
        assert_eq!(help, "the keys of an input are: name, type, description, enum");
    }

    #[test]
    fn required_when_needs_required_false() {
        let section = |required: &str| {
            format!(
                "---
name: a
description: b
output_schema:
  required_sections:
    - name: Standards
      pattern: \"^## Standards\"
{required}      required_when:
        invocation_context: dev-refactor
---
"
            )
        };
        assert_eq!(
            messages(&section("")),
            ["8:7 section `Standards` has `required_when` but no `required` (which means `required: true`): it would be required in every context"]
        );
        assert_eq!(
            messages(&section("      required: true\n")),
            ["9:7 section `Standards` has `required_when` but `required: true`: it would be required in every context"]
        );
        let spec = spec(&section("      required: false\n")).unwrap();
        assert_eq!(spec.sections[0].requirement, RequirementSpec::RequiredIn(vec![0]));
    }

    #[test]
    fn input_types_parse() {
        assert_eq!(
            parse_input_type("list[file_path]"),
            Some(InputType::List(Box::new(InputType::Scalar(ScalarType::FilePath))))
        );
        assert_eq!(
            parse_input_type("list"),
            Some(InputType::List(Box::new(InputType::Scalar(ScalarType::String))))
        );
        assert_eq!(parse_input_type("strng"), None);
        assert_eq!(parse_input_type("list[strng]"), None);
    }

    #[test]
    fn string_and_mapping_required_when_agree() {
        let head = "---\nname: a\ndescription: d\noutput_schema:\n  required_sections:\n    - name: S\n      pattern: \"^## S\"\n      required: false\n      required_when:";
        let mapping = spec(&format!(
            "{head}\n        invocation_context: dev-refactor\n        prompt_contains: \"MODE\"\n---\n"
        ))
        .unwrap();
        let string = spec(&format!(
            "{head} \"invocation_context == 'dev-refactor' AND prompt_contains == 'MODE'\"\n---\n"
        ))
        .unwrap();
        assert_eq!(mapping.contexts, string.contexts);
        assert_eq!(mapping.contexts[0].variant, "DevRefactor");
        assert_eq!(mapping.sections[0].requirement, RequirementSpec::RequiredIn(vec![0]));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = messages(
            "---\nname: a\ndescription: d\ninput_schema:\n  required_context:\n    - name: x\n      type: strin\n    - name: x\n      type: string\noutput_schema:\n  required_sections:\n    - name: S\n      pattern: \"^## (S\"\n      required: \"yes\"\n---\n",
        );
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found[0].starts_with("7:13 unknown input type `strin`"), "{found:?}");
        assert!(found[1].starts_with("8:13 duplicate input name `x`"), "{found:?}");
        assert!(found[2].starts_with("13:16 pattern of section `S`"), "{found:?}");
        assert!(found[3].starts_with("14:17 `required` must be `true` or `false`"), "{found:?}");
    }

    #[test]
    fn colliding_names_are_reported() {
        let found = messages("---\nname: a\ndescription: d\noutput_schema:\n  required_sections:\n    - name: Files Changed\n      pattern: \"^## A\"\n    - name: files-changed\n      pattern: \"^## B\"\n---\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("both become the Rust name `FilesChanged`"), "{found:?}");
    }

    #[test]
    fn missing_name_and_description_are_reported() {
        let found = messages("---\nmodel: opus\n---\n");
        assert_eq!(found.len(), 2, "{found:?}");
    }
}
