//! The data of the Claude Code keys: `tools`, `model`, `color` and the other settings.

use super::{list, open_value, optional, optional_str, push_str_lit, str_lit, text_lit};
use crate::model::{AgentSpec, ClaudeCodeSpec, ModelKind, ToolSpec};

fn tool(spec: &ToolSpec) -> String {
    match spec {
        ToolSpec::Builtin(_, variant) => (*variant).to_owned(),
        ToolSpec::Mcp { server, tool } => format!("(Mcp {} {})", str_lit(server), str_lit(tool)),
        ToolSpec::Scoped { name, argument } => format!("(Scoped {} {})", str_lit(name), str_lit(argument)),
        ToolSpec::Other(text) => format!("(Other {})", str_lit(text)),
    }
}

/// `[Tool ...]`.
pub(crate) fn tools(specs: &[ToolSpec]) -> String {
    format!("[{}]", list(specs, |out, spec| out.push_str(&tool(spec))))
}

/// The `Model` variant: `Opus`, or `Id("claude-...")`.
pub(crate) fn model_kind(spec: &AgentSpec) -> String {
    match spec.model_kind {
        ModelKind::Id => format!("Id({})", str_lit(&spec.model)),
        alias => alias.variant().to_owned(),
    }
}

/// `[Red]`, `[Other("other")]` or `[]`.
pub(crate) fn color(spec: &AgentSpec) -> String {
    optional(spec.color.as_deref().map(|color| open_value(agentbind_vocab::COLORS, color)))
}

/// `[]`, or every setting as data: `[{ disallowed_tools: [...], ... }]`.
pub(crate) fn settings(spec: &ClaudeCodeSpec) -> String {
    if *spec == ClaudeCodeSpec::default() {
        return "[]".to_owned();
    }
    let disallowed_tools = tools(&spec.disallowed_tools);
    let permission_mode = optional_str(spec.permission_mode.as_deref());
    let max_turns = optional(spec.max_turns.map(|turns| turns.to_string()));
    let skills = list(&spec.skills, |out, s| push_str_lit(out, s));
    let mcp_servers = list(&spec.mcp_servers, |out, s| push_str_lit(out, s));
    let hooks = optional_str(spec.hooks.as_deref());
    let memory = optional_str(spec.memory.as_deref());
    let background = optional(spec.background.map(|b| b.to_string()));
    let effort = optional_str(spec.effort.as_deref());
    let isolation = optional_str(spec.isolation.as_deref());
    let initial_prompt = optional(spec.initial_prompt.as_deref().map(text_lit));
    format!(
        "[{{ disallowed_tools: {disallowed_tools}, permission_mode: {permission_mode}, max_turns: {max_turns}, \
         skills: [{skills}], mcp_servers: [{mcp_servers}], hooks: {hooks}, memory: {memory}, \
         background: {background}, effort: {effort}, isolation: {isolation}, initial_prompt: {initial_prompt} }}]"
    )
}
