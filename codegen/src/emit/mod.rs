//! Emission: an [`AgentSpec`] becomes the Rust source of the agent's module items.
//!
//! Emission writes source text, not token trees, as prost-build does: inside a proc macro the
//! compiler lexes the whole text in one call, where building the same ~3,000 tokens one by one
//! costs a call into the compiler per token; and the build script writes text anyway. Every
//! value from the agent file enters the text through [`push_str_lit`] (an escaped literal),
//! [`text_lit`] (a raw string with enough `#`) or as a validated identifier, so the text always
//! lexes; the corpus tests compile all of it.

mod claude;
mod docs;
mod enums;
mod input;
mod metrics;
mod output;

use crate::model::AgentSpec;

/// Options of emission shared by the macro and the builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct EmitOptions {
    /// Attributes put on every generated data type (`Input`, `Output`, `Metrics`, enums of
    /// values), such as `#[derive(serde::Serialize)]`, as source text.
    pub(crate) type_attributes: String,
}

/// Appends formatted text to a `String` (which cannot fail).
macro_rules! emit {
    ($out:expr, $($fmt:tt)*) => {{
        let _ = ::std::fmt::Write::write_fmt($out, format_args!($($fmt)*));
    }};
}
pub(crate) use emit;

/// An escaped Rust string literal for `text`.
pub(crate) fn str_lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_str_lit(&mut out, text);
    out
}

/// Appends an escaped Rust string literal for `text`: `str`'s `Debug` form, which is valid Rust,
/// or the text between quotes when it is printable ASCII without `"` or `\\`.
pub(crate) fn push_str_lit(out: &mut String, text: &str) {
    if text.bytes().all(|b| matches!(b, b' '..=b'~') && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        emit!(out, "{text:?}");
    }
}

/// A string literal for a long `text`: a raw string (`r#"..."#`) when `text` allows one, which
/// keeps long texts such as system prompts readable in the generated code; an escaped literal
/// otherwise (a raw string cannot hold a bare carriage return).
pub(crate) fn text_lit(text: &str) -> String {
    if text.contains('\r') {
        return str_lit(text);
    }
    let hashes = "#".repeat(longest_hash_run_after_quote(text) + 1);
    format!("r{hashes}\"{text}\"{hashes}")
}

/// The longest run of `#` that follows a `"` in `text`: a raw string needs one more.
fn longest_hash_run_after_quote(text: &str) -> usize {
    text.split('"').skip(1).map(|after| after.len() - after.trim_start_matches('#').len()).max().unwrap_or(0)
}

/// `Some(value)` or `None`, fully qualified; `value` is already source text.
pub(crate) fn option(value: Option<String>) -> String {
    match value {
        Some(value) => format!("::core::option::Option::Some({value})"),
        None => "::core::option::Option::None".to_owned(),
    }
}

/// `Some("text")` or `None`.
pub(crate) fn option_str(value: Option<&str>) -> String {
    option(value.map(str_lit))
}

/// `items` joined by `, `, each written by `write`.
pub(crate) fn list<T>(items: impl IntoIterator<Item = T>, mut write: impl FnMut(&mut String, T)) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write(&mut out, item);
    }
    out
}

/// `#[doc = ...]` for `text`, as source text.
pub(crate) fn doc_attribute(text: &str) -> String {
    docs::doc(text)
}

/// The module's doc text.
pub(crate) fn module_doc(spec: &AgentSpec) -> String {
    docs::module_doc(spec)
}

/// Every item of the agent's module, as source text.
pub(crate) fn items(spec: &AgentSpec, options: &EmitOptions) -> String {
    let attrs = options.type_attributes.as_str();
    let mut out = String::with_capacity(16 * 1024);
    if let Some(path) = &spec.tracked_path {
        emit!(
            &mut out,
            "/// The agent file, read by the compiler: the system prompt is a slice of it, and the
            /// module is compiled again whenever the file changes.
            const AGENT_FILE: &str = ::core::include_str!({});\n",
            str_lit(path)
        );
    }
    agent(spec, &mut out);
    input::input(spec, attrs, &mut out);
    output::contexts(spec, &mut out);
    output::sections(spec, &mut out);
    output::output(spec, attrs, &mut out);
    metrics::metrics(spec, attrs, &mut out);
    out
}

fn agent(spec: &AgentSpec, out: &mut String) {
    let name = str_lit(&spec.name);
    let description = str_lit(&spec.description);
    let model = str_lit(&spec.model);
    let version = option_str(spec.version.as_deref());
    let last_updated = option_str(spec.last_updated.as_deref());
    let kind = option_str(spec.kind.as_deref());
    let model_kind = claude::model(spec);
    let color = claude::color(spec);
    let tools = claude::tools(&spec.tools);
    let claude_code = claude::settings(&spec.claude_code);
    let source = str_lit(&spec.display_path);
    // A tracked file is already read by the compiler (`AGENT_FILE`): the prompt is a slice of
    // it rather than a copy.
    let system_prompt = match &spec.tracked_path {
        Some(_) => format!("::agentbind::__private::body_of(AGENT_FILE, {})", spec.body_offset),
        None => text_lit(&spec.body),
    };
    let error_handling = option(spec.error_handling.as_ref().map(|handling| {
        let on_blocker = match handling.on_blocker.as_str() {
            "pause_and_report" => "::agentbind::OnBlocker::PauseAndReport".to_owned(),
            other => format!("::agentbind::OnBlocker::Other({})", str_lit(other)),
        };
        let escalation = match handling.escalation_path.as_str() {
            "orchestrator" => "::agentbind::EscalationPath::Orchestrator".to_owned(),
            other => format!("::agentbind::EscalationPath::Other({})", str_lit(other)),
        };
        format!("::agentbind::ErrorHandling {{ on_blocker: {on_blocker}, escalation_path: {escalation} }}")
    }));
    let inputs = input::inputs_table(spec);
    let struct_doc =
        docs::doc(&format!("The agent `{}`: its constants, and [`Agent::dispatch`] to call it.", spec.name));
    emit!(
        out,
        "{struct_doc}
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct Agent;

        impl Agent {{
            /// `name` in the agent file.
            pub const NAME: &'static str = {name};
            /// `description` in the agent file.
            pub const DESCRIPTION: &'static str = {description};
            /// `model` in the agent file (`inherit` when it has none).
            pub const MODEL: &'static str = {model};
            /// `version` in the agent file.
            pub const VERSION: ::core::option::Option<&'static str> = {version};
            /// `last_updated` in the agent file.
            pub const LAST_UPDATED: ::core::option::Option<&'static str> = {last_updated};
            /// `type` in the agent file (specialist, reviewer, planning...).
            pub const KIND: ::core::option::Option<&'static str> = {kind};
            /// `model` in the agent file, typed.
            pub const MODEL_KIND: ::agentbind::Model = {model_kind};
            /// `tools` in the agent file (empty when absent: Claude Code then allows every tool).
            pub const TOOLS: &'static [::agentbind::Tool] = {tools};
            /// `color` in the agent file.
            pub const COLOR: ::core::option::Option<::agentbind::Color> = {color};
            /// The other Claude Code keys of the agent file (`disallowedTools`, `maxTurns`...).
            pub const CLAUDE_CODE: ::agentbind::ClaudeCodeSettings = {claude_code};
            /// `error_handling` in the agent file.
            pub const ERROR_HANDLING: ::core::option::Option<::agentbind::ErrorHandling> = {error_handling};
            /// The agent file these bindings were generated from.
            pub const SOURCE: &'static str = {source};
            /// The markdown body of the agent file: the system prompt.
            pub const SYSTEM_PROMPT: &'static str = {system_prompt};
            /// The inputs (`input_schema`), in file order, for tool schemas and dynamic dispatch.
            pub const INPUTS: &'static [::agentbind::InputField] = {inputs};

            /// Starts a dispatch of this agent with `input`.
            #[must_use]
            pub fn dispatch(input: Input) -> ::agentbind::Dispatch<Agent> {{
                ::agentbind::Dispatch::new(input)
            }}
        }}

        impl ::agentbind::Agent for Agent {{
            const NAME: &'static str = Agent::NAME;
            const DESCRIPTION: &'static str = Agent::DESCRIPTION;
            const MODEL: &'static str = Agent::MODEL;
            const VERSION: ::core::option::Option<&'static str> = Agent::VERSION;
            const SYSTEM_PROMPT: &'static str = Agent::SYSTEM_PROMPT;
            const MODEL_KIND: ::agentbind::Model = Agent::MODEL_KIND;
            const TOOLS: &'static [::agentbind::Tool] = Agent::TOOLS;
            const ERROR_HANDLING: ::core::option::Option<::agentbind::ErrorHandling> = Agent::ERROR_HANDLING;
            const COLOR: ::core::option::Option<::agentbind::Color> = Agent::COLOR;
            const CLAUDE_CODE: ::agentbind::ClaudeCodeSettings = Agent::CLAUDE_CODE;
            const INPUTS: &'static [::agentbind::InputField] = Agent::INPUTS;
            type Input = Input;
            type Output = Output;
            type Section = Section;
            type Context = InvocationContext;
            type Metrics = Metrics;
        }}
"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_literals_are_raw_when_they_can_be() {
        assert_eq!(text_lit("a \"quote\""), "r#\"a \"quote\"\"#");
        assert_eq!(text_lit("a \"## heading"), "r###\"a \"## heading\"###");
        assert_eq!(text_lit("crlf\r\n"), "\"crlf\\r\\n\"");
    }

    #[test]
    fn string_literals_lex_back_to_their_text() {
        for text in
            ["plain", "quote \" and \\ backslash", "tab\tnl\nnul\0", "bom\u{feff} e\u{301} 日本", "}{"]
        {
            let literal: proc_macro2::Literal = str_lit(text).parse().expect("a single literal");
            #[cfg(feature = "pretty")]
            match syn::Lit::new(literal) {
                syn::Lit::Str(parsed) => assert_eq!(parsed.value(), text),
                _ => panic!("not a string literal: {text:?}"),
            }
            #[cfg(not(feature = "pretty"))]
            drop(literal);
        }
    }
}
