//! The Claude Code keys: `tools`, `model`, `color` and the other documented ones.

use super::{summarize, Validator};
use crate::model::{ClaudeCodeSpec, ModelAlias, ModelKind, ToolSpec};
use crate::yaml::{Node, Value};

/// "expected one of" for `model`.
fn models() -> String {
    format!(
        "{}, or a full model id such as `claude-sonnet-4-20250514`",
        crate::vocab::words(agentbind_vocab::MODEL_ALIASES)
    )
}

/// Reads one tool entry.
pub(crate) fn tool(text: &str) -> ToolSpec {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("mcp__") {
        let (server, tool) = rest.split_once("__").unwrap_or((rest, ""));
        return ToolSpec::Mcp { server: server.to_owned(), tool: tool.to_owned() };
    }
    if let Some((name, argument)) = text.strip_suffix(')').and_then(|t| t.split_once('(')) {
        if !name.is_empty() && !name.contains(char::is_whitespace) {
            return ToolSpec::Scoped { name: name.to_owned(), argument: argument.to_owned() };
        }
    }
    match agentbind_vocab::Word::find(agentbind_vocab::BUILTIN_TOOLS, text) {
        Some(tool) => ToolSpec::Builtin(tool.word, tool.variant),
        None => ToolSpec::Other(text.to_owned()),
    }
}

/// Reads `model`; `None` for a value that is neither an alias nor a model id.
pub(crate) fn model(text: &str) -> Option<ModelKind> {
    let text = text.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Some(ModelKind::Alias(ModelAlias::Inherit));
    }
    if let Some(alias) = ModelAlias::from_word(&text) {
        return Some(ModelKind::Alias(alias));
    }
    (text.starts_with("claude-") && text.len() > "claude-".len()).then_some(ModelKind::Id)
}

impl Validator<'_> {
    /// `tools` or `disallowedTools`: a comma-separated string, a list, `[]` or nothing.
    pub(super) fn tools(&mut self, node: &Node, key: &str) -> Vec<ToolSpec> {
        let texts: Vec<String> = match &node.value {
            Value::Str(s) => s.split(',').map(str::to_owned).collect(),
            _ => self.list(node, key).iter().filter_map(|item| self.text(item, "tool")).collect(),
        };
        texts.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).map(tool).collect()
    }

    /// `model`, typed; an unknown alias is an error that lists the valid ones.
    pub(super) fn model(&mut self, node: &Node) -> (String, ModelKind) {
        let text = self.text(node, "model").unwrap_or_default();
        match model(&text) {
            Some(ModelKind::Alias(ModelAlias::Inherit)) if text.trim().is_empty() => {
                ("inherit".to_owned(), ModelKind::Alias(ModelAlias::Inherit))
            }
            Some(kind) => (text.trim().to_owned(), kind),
            None => {
                self.diags.error_help(
                    node.pos,
                    format!("unknown model `{text}`"),
                    format!("expected one of: {}", models()),
                );
                (text, ModelKind::Alias(ModelAlias::Inherit))
            }
        }
    }

    /// One of the other Claude Code keys; `false` when `key` is not one of them.
    pub(super) fn claude_code_key(&mut self, key: &str, node: &Node, spec: &mut ClaudeCodeSpec) -> bool {
        match key {
            "disallowedTools" => spec.disallowed_tools = self.tools(node, key),
            "permissionMode" => spec.permission_mode = self.text(node, key),
            "maxTurns" => spec.max_turns = self.count(node, key),
            "skills" => spec.skills = self.names(node, key),
            "mcpServers" => spec.mcp_servers = self.names(node, key),
            "hooks" => spec.hooks = Some(summarize(node)),
            "memory" => spec.memory = self.text(node, key),
            "background" => spec.background = self.boolean(node, key),
            "effort" => spec.effort = self.text(node, key),
            "isolation" => spec.isolation = self.text(node, key),
            "initialPrompt" => spec.initial_prompt = self.text(node, key),
            _ => return false,
        }
        true
    }

    /// A non-negative integer that fits `u32`.
    fn count(&mut self, node: &Node, key: &str) -> Option<u32> {
        match node.value {
            Value::Int(n) if u32::try_from(n).is_ok() => u32::try_from(n).ok(),
            _ => {
                self.diags.error(
                    node.pos,
                    format!("`{key}` must be a whole number of turns, found {}", node.value.kind()),
                );
                None
            }
        }
    }

    /// Names: a comma-separated string, a list of names, or the keys of a mapping.
    fn names(&mut self, node: &Node, key: &str) -> Vec<String> {
        match &node.value {
            Value::Str(s) => {
                s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
            }
            Value::Map(entries) => entries.iter().filter_map(|(k, _)| k.scalar_text()).collect(),
            _ => self
                .list(node, key)
                .iter()
                .filter_map(|item| match &item.value {
                    // `- server: {...}`: a list of one-key mappings names its servers by key.
                    Value::Map(entries) => entries.first().and_then(|(k, _)| k.scalar_text()),
                    _ => self.text(item, key),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_are_typed() {
        assert_eq!(tool("Read"), ToolSpec::Builtin("Read", "Read"));
        assert_eq!(tool("LS"), ToolSpec::Builtin("LS", "Ls"));
        assert_eq!(
            tool("mcp__github__create_issue"),
            ToolSpec::Mcp { server: "github".into(), tool: "create_issue".into() }
        );
        assert_eq!(tool("mcp__github"), ToolSpec::Mcp { server: "github".into(), tool: String::new() });
        assert_eq!(
            tool("Agent(code-reviewer)"),
            ToolSpec::Scoped { name: "Agent".into(), argument: "code-reviewer".into() }
        );
        assert_eq!(tool("Bash(git:*)"), ToolSpec::Scoped { name: "Bash".into(), argument: "git:*".into() });
        assert_eq!(tool("/my-plugin:deploy"), ToolSpec::Other("/my-plugin:deploy".into()));
    }

    #[test]
    fn models_are_typed() {
        assert_eq!(model("opus"), Some(ModelKind::Alias(ModelAlias::Opus)));
        assert_eq!(model("Sonnet"), Some(ModelKind::Alias(ModelAlias::Sonnet)));
        assert_eq!(model("claude-sonnet-4-20250514"), Some(ModelKind::Id));
        assert_eq!(model("gpt-4"), None);
        assert_eq!(model("claude-"), None);
    }
}
