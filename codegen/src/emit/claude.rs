//! Constants of the Claude Code keys: `TOOLS`, `MODEL_KIND`, `COLOR`, `CLAUDE_CODE`.

use super::{list, option, option_str, push_str_lit, str_lit, text_lit};
use crate::model::{AgentSpec, ClaudeCodeSpec, ModelKind, ToolSpec};

fn tool(spec: &ToolSpec) -> String {
    match spec {
        ToolSpec::Builtin(_, variant) => format!("::agentbind::Tool::{variant}"),
        ToolSpec::Mcp { server, tool } => {
            format!("::agentbind::Tool::Mcp {{ server: {}, tool: {} }}", str_lit(server), str_lit(tool))
        }
        ToolSpec::Scoped { name, argument } => {
            format!(
                "::agentbind::Tool::Scoped {{ name: {}, argument: {} }}",
                str_lit(name),
                str_lit(argument)
            )
        }
        ToolSpec::Other(text) => format!("::agentbind::Tool::Other({})", str_lit(text)),
    }
}

/// `&[Tool, ...]`.
pub(crate) fn tools(specs: &[ToolSpec]) -> String {
    format!("&[{}]", list(specs, |out, spec| out.push_str(&tool(spec))))
}

/// `Model::...`.
pub(crate) fn model(spec: &AgentSpec) -> String {
    match spec.model_kind {
        ModelKind::Sonnet => "::agentbind::Model::Sonnet".to_owned(),
        ModelKind::Opus => "::agentbind::Model::Opus".to_owned(),
        ModelKind::Haiku => "::agentbind::Model::Haiku".to_owned(),
        ModelKind::Inherit => "::agentbind::Model::Inherit".to_owned(),
        ModelKind::Id => format!("::agentbind::Model::Id({})", str_lit(&spec.model)),
    }
}

/// `Option<Color>`.
pub(crate) fn color(spec: &AgentSpec) -> String {
    let named = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"];
    option(spec.color.as_deref().map(|color| {
        if named.contains(&color) {
            format!("::agentbind::Color::{}", heck::ToUpperCamelCase::to_upper_camel_case(color))
        } else {
            format!("::agentbind::Color::Other({})", str_lit(color))
        }
    }))
}

/// The `ClaudeCodeSettings` value.
pub(crate) fn settings(spec: &ClaudeCodeSpec) -> String {
    if *spec == ClaudeCodeSpec::default() {
        return "::agentbind::ClaudeCodeSettings::NONE".to_owned();
    }
    let disallowed_tools = tools(&spec.disallowed_tools);
    let permission_mode = option_str(spec.permission_mode.as_deref());
    let max_turns = option(spec.max_turns.map(|turns| turns.to_string()));
    let skills = list(&spec.skills, |out, s| push_str_lit(out, s));
    let mcp_servers = list(&spec.mcp_servers, |out, s| push_str_lit(out, s));
    let hooks = option_str(spec.hooks.as_deref());
    let memory = option_str(spec.memory.as_deref());
    let background = option(spec.background.map(|b| b.to_string()));
    let effort = option_str(spec.effort.as_deref());
    let isolation = option_str(spec.isolation.as_deref());
    let initial_prompt = option(spec.initial_prompt.as_deref().map(text_lit));
    format!(
        "::agentbind::ClaudeCodeSettings {{
            disallowed_tools: {disallowed_tools},
            permission_mode: {permission_mode},
            max_turns: {max_turns},
            skills: &[{skills}],
            mcp_servers: &[{mcp_servers}],
            hooks: {hooks},
            memory: {memory},
            background: {background},
            effort: {effort},
            isolation: {isolation},
            initial_prompt: {initial_prompt},
        }}"
    )
}
