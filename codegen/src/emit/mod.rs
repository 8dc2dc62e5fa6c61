//! Emission: an [`AgentSpec`] becomes the items of the agent's module.

mod claude;
mod docs;
mod enums;
mod input;
mod metrics;
mod output;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::AgentSpec;

/// Options of emission shared by the macro and the builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct EmitOptions {
    /// Attributes put on every generated data type (`Input`, `Output`, `Metrics`, enums of
    /// values), such as `#[derive(serde::Serialize)]`.
    pub(crate) type_attributes: TokenStream,
}

/// A string literal for `text`: a raw string (`r#"..."#`) when `text` allows one, which is much
/// cheaper to build than an escaped literal for long texts such as system prompts; an escaped
/// literal otherwise (a raw string cannot hold a bare carriage return).
pub(crate) fn text_literal(text: &str) -> proc_macro2::Literal {
    if !text.contains('\r') {
        let hashes = "#".repeat(longest_hash_run_after_quote(text) + 1);
        if let Ok(literal) = format!("r{hashes}\"{text}\"{hashes}").parse::<proc_macro2::Literal>() {
            return literal;
        }
    }
    proc_macro2::Literal::string(text)
}

/// The longest run of `#` that follows a `"` in `text`: a raw string needs one more.
fn longest_hash_run_after_quote(text: &str) -> usize {
    text.split('"').skip(1).map(|after| after.len() - after.trim_start_matches('#').len()).max().unwrap_or(0)
}

/// `#[doc = ...]` for `text`.
pub(crate) fn doc_attribute(text: &str) -> TokenStream {
    docs::doc(text)
}

/// The module's doc text.
pub(crate) fn module_doc(spec: &AgentSpec) -> String {
    docs::module_doc(spec)
}

/// Every item of the agent's module.
pub(crate) fn items(spec: &AgentSpec, options: &EmitOptions) -> TokenStream {
    let attrs = &options.type_attributes;
    let tracking = spec.tracked_path.as_ref().map(|path| {
        quote! {
            // Makes the compiler rebuild this module when the agent file changes.
            const _: &[u8] = ::core::include_bytes!(#path);
        }
    });
    let agent = agent(spec);
    let input = input::input(spec, attrs);
    let contexts = output::contexts(spec);
    let sections = output::sections(spec);
    let output = output::output(spec, attrs);
    let metrics = metrics::metrics(spec, attrs);
    quote! {
        #tracking
        #agent
        #input
        #contexts
        #sections
        #output
        #metrics
    }
}

fn agent(spec: &AgentSpec) -> TokenStream {
    let name = &spec.name;
    let description = &spec.description;
    let model = &spec.model;
    let version = option(spec.version.as_deref());
    let last_updated = option(spec.last_updated.as_deref());
    let kind = option(spec.kind.as_deref());
    let model_kind = claude::model(spec);
    let color = claude::color(spec);
    let tools = claude::tools(&spec.tools);
    let claude_code = claude::settings(&spec.claude_code);
    let source = &spec.display_path;
    let system_prompt = text_literal(&spec.body);
    let error_handling = match &spec.error_handling {
        Some(handling) => {
            let on_blocker = match handling.on_blocker.as_str() {
                "pause_and_report" => quote!(::agentbind::OnBlocker::PauseAndReport),
                other => quote!(::agentbind::OnBlocker::Other(#other)),
            };
            let escalation = match handling.escalation_path.as_str() {
                "orchestrator" => quote!(::agentbind::EscalationPath::Orchestrator),
                other => quote!(::agentbind::EscalationPath::Other(#other)),
            };
            quote!(::core::option::Option::Some(::agentbind::ErrorHandling { on_blocker: #on_blocker, escalation_path: #escalation }))
        }
        None => quote!(::core::option::Option::None),
    };
    let struct_doc = format!("The agent `{name}`: its constants, and [`Agent::dispatch`] to call it.");
    quote! {
        #[doc = #struct_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct Agent;

        impl Agent {
            /// `name` in the agent file.
            pub const NAME: &'static str = #name;
            /// `description` in the agent file.
            pub const DESCRIPTION: &'static str = #description;
            /// `model` in the agent file (`inherit` when it has none).
            pub const MODEL: &'static str = #model;
            /// `version` in the agent file.
            pub const VERSION: ::core::option::Option<&'static str> = #version;
            /// `last_updated` in the agent file.
            pub const LAST_UPDATED: ::core::option::Option<&'static str> = #last_updated;
            /// `type` in the agent file (specialist, reviewer, planning...).
            pub const KIND: ::core::option::Option<&'static str> = #kind;
            /// `model` in the agent file, typed.
            pub const MODEL_KIND: ::agentbind::Model = #model_kind;
            /// `tools` in the agent file (empty when absent: Claude Code then allows every tool).
            pub const TOOLS: &'static [::agentbind::Tool] = #tools;
            /// `color` in the agent file.
            pub const COLOR: ::core::option::Option<::agentbind::Color> = #color;
            /// The other Claude Code keys of the agent file (`disallowedTools`, `maxTurns`...).
            pub const CLAUDE_CODE: ::agentbind::ClaudeCodeSettings = #claude_code;
            /// `error_handling` in the agent file.
            pub const ERROR_HANDLING: ::core::option::Option<::agentbind::ErrorHandling> = #error_handling;
            /// The agent file these bindings were generated from.
            pub const SOURCE: &'static str = #source;
            /// The markdown body of the agent file: the system prompt.
            pub const SYSTEM_PROMPT: &'static str = #system_prompt;

            /// Starts a dispatch of this agent with `input`.
            #[must_use]
            pub fn dispatch(input: Input) -> ::agentbind::Dispatch<Agent> {
                ::agentbind::Dispatch::new(input)
            }
        }

        impl ::agentbind::Agent for Agent {
            const NAME: &'static str = Agent::NAME;
            const DESCRIPTION: &'static str = Agent::DESCRIPTION;
            const MODEL: &'static str = Agent::MODEL;
            const VERSION: ::core::option::Option<&'static str> = Agent::VERSION;
            const SYSTEM_PROMPT: &'static str = Agent::SYSTEM_PROMPT;
            const MODEL_KIND: ::agentbind::Model = Agent::MODEL_KIND;
            const TOOLS: &'static [::agentbind::Tool] = Agent::TOOLS;
            const ERROR_HANDLING: ::core::option::Option<::agentbind::ErrorHandling> = Agent::ERROR_HANDLING;
            type Input = Input;
            type Output = Output;
            type Section = Section;
            type Context = InvocationContext;
            type Metrics = Metrics;
        }
    }
}

/// `Some(value)` or `None`, fully qualified.
pub(crate) fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_literals_are_raw_when_they_can_be() {
        assert_eq!(text_literal("a \"quote\"").to_string(), "r#\"a \"quote\"\"#");
        assert_eq!(text_literal("a \"## heading").to_string(), "r###\"a \"## heading\"###");
        assert_eq!(text_literal("crlf\r\n").to_string(), "\"crlf\\r\\n\"");
    }
}
