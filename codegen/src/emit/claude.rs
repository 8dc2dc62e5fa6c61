//! Constants of the Claude Code keys: `TOOLS`, `MODEL_KIND`, `COLOR`, `CLAUDE_CODE`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::option;
use crate::model::{AgentSpec, ClaudeCodeSpec, ModelKind, ToolSpec};

fn tool(spec: &ToolSpec) -> TokenStream {
    match spec {
        ToolSpec::Builtin(_, variant) => {
            let variant = Ident::new(variant, Span::call_site());
            quote!(::agentbind::Tool::#variant)
        }
        ToolSpec::Mcp { server, tool } => quote!(::agentbind::Tool::Mcp { server: #server, tool: #tool }),
        ToolSpec::Scoped { name, argument } => {
            quote!(::agentbind::Tool::Scoped { name: #name, argument: #argument })
        }
        ToolSpec::Other(text) => quote!(::agentbind::Tool::Other(#text)),
    }
}

/// `&[Tool, ...]`.
pub(crate) fn tools(specs: &[ToolSpec]) -> TokenStream {
    let tools = specs.iter().map(tool);
    quote!(&[#( #tools ),*])
}

/// `Model::...`.
pub(crate) fn model(spec: &AgentSpec) -> TokenStream {
    match spec.model_kind {
        ModelKind::Sonnet => quote!(::agentbind::Model::Sonnet),
        ModelKind::Opus => quote!(::agentbind::Model::Opus),
        ModelKind::Haiku => quote!(::agentbind::Model::Haiku),
        ModelKind::Inherit => quote!(::agentbind::Model::Inherit),
        ModelKind::Id => {
            let id = &spec.model;
            quote!(::agentbind::Model::Id(#id))
        }
    }
}

/// `Option<Color>`.
pub(crate) fn color(spec: &AgentSpec) -> TokenStream {
    let named = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"];
    option(spec.color.as_deref().map(|color| {
        if named.contains(&color) {
            let variant = Ident::new(&heck::ToUpperCamelCase::to_upper_camel_case(color), Span::call_site());
            quote!(::agentbind::Color::#variant)
        } else {
            quote!(::agentbind::Color::Other(#color))
        }
    }))
}

/// The `ClaudeCodeSettings` value.
pub(crate) fn settings(spec: &ClaudeCodeSpec) -> TokenStream {
    if *spec == ClaudeCodeSpec::default() {
        return quote!(::agentbind::ClaudeCodeSettings::NONE);
    }
    let disallowed_tools = tools(&spec.disallowed_tools);
    let permission_mode = option(spec.permission_mode.as_deref());
    let max_turns = option(spec.max_turns);
    let skills = &spec.skills;
    let mcp_servers = &spec.mcp_servers;
    let hooks = option(spec.hooks.as_deref());
    let memory = option(spec.memory.as_deref());
    let background = option(spec.background);
    let effort = option(spec.effort.as_deref());
    let isolation = option(spec.isolation.as_deref());
    let initial_prompt = option(spec.initial_prompt.as_deref().map(super::text_literal));
    quote! {
        ::agentbind::ClaudeCodeSettings {
            disallowed_tools: #disallowed_tools,
            permission_mode: #permission_mode,
            max_turns: #max_turns,
            skills: &[#( #skills ),*],
            mcp_servers: &[#( #mcp_servers ),*],
            hooks: #hooks,
            memory: #memory,
            background: #background,
            effort: #effort,
            isolation: #isolation,
            initial_prompt: #initial_prompt,
        }
    }
}
