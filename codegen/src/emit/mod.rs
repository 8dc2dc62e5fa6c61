//! Emission: an [`AgentSpec`] becomes the Rust source of the agent's module items.
//!
//! Emission writes data, not code: one invocation of each of the runtime's private macros
//! (`agentbind::__private_v0_3::{agent, input, contexts, sections, output, metrics, labeled_enum}`)
//! with the file's values, and the macros, checked by rustc when the runtime compiles, write
//! the items. The data is source text, as prost-build writes: inside a proc macro the
//! compiler lexes the whole text in one call, where building tokens one by one costs a call
//! into the compiler per token; and the build script writes text anyway. Every value from the
//! agent file enters the text through [`push_str_lit`] (an escaped literal), [`text_lit`] (a
//! raw string with enough `#`) or as a validated identifier, so the text always lexes.

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
    // Nor a bidi control, which rustc denies raw in a literal.
    if text.chars().any(|c| c == '\r' || docs::unsafe_in_comment(c)) {
        return str_lit(text);
    }
    let hashes = "#".repeat(longest_hash_run_after_quote(text) + 1);
    format!("r{hashes}\"{text}\"{hashes}")
}

/// The longest run of `#` that follows a `"` in `text`: a raw string needs one more.
fn longest_hash_run_after_quote(text: &str) -> usize {
    text.split('"').skip(1).map(|after| after.len() - after.trim_start_matches('#').len()).max().unwrap_or(0)
}

/// `items` joined by `sep`, each written by `write`.
pub(crate) fn list<T>(items: impl IntoIterator<Item = T>, mut write: impl FnMut(&mut String, T)) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(' ');
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

/// The path of the versioned private contract that generated code calls into.
pub(crate) const PRIVATE: &str = "::agentbind::__private_v0_3";

/// Every item of the agent's module, as source text: one invocation of each of the runtime's
/// private macros, with the file's values as data.
pub(crate) fn items(spec: &AgentSpec, options: &EmitOptions) -> String {
    let attrs = options.type_attributes.as_str();
    let mut out = String::with_capacity(8 * 1024);
    agent(spec, &mut out);
    input::input(spec, attrs, &mut out);
    output::sections(spec, &mut out);
    output::output(spec, attrs, &mut out);
    metrics::metrics(spec, attrs, &mut out);
    out
}

/// `[value]`, or `[]` when there is none: an optional value for the macros.
pub(crate) fn optional(value: Option<String>) -> String {
    match value {
        Some(value) => format!("[{value}]"),
        None => "[]".to_owned(),
    }
}

/// A value of an open list: the variant of a known word (`Red`), `Other("text")` otherwise.
pub(crate) fn open_value(table: &'static [agentbind_vocab::Word], text: &str) -> String {
    match agentbind_vocab::Word::find(table, text) {
        Some(known) => known.variant.to_owned(),
        None => format!("Other({})", str_lit(text)),
    }
}

/// `["text"]` or `[]`.
pub(crate) fn optional_str(value: Option<&str>) -> String {
    optional(value.map(str_lit))
}

fn agent(spec: &AgentSpec, out: &mut String) {
    // A tracked file is read by the compiler, which rebuilds when it changes; the prompt is a
    // slice of it rather than a copy.
    let prompt = match &spec.tracked_path {
        Some(path) => format!("file {} {}", str_lit(path), spec.body_offset),
        None => format!("text {}", text_lit(&spec.body)),
    };
    let error_handling = optional(spec.error_handling.as_ref().map(|handling| {
        // A known word is its variant; any other value is kept as written.
        let on_blocker = open_value(agentbind_vocab::ON_BLOCKER_VALUES, &handling.on_blocker);
        let escalation = open_value(agentbind_vocab::ESCALATION_PATH_VALUES, &handling.escalation_path);
        format!("{on_blocker} {escalation}")
    }));
    let struct_doc =
        docs::doc(&format!("The agent `{}`: its constants, and [`Agent::dispatch`] to call it.", spec.name));
    emit!(
        out,
        "{PRIVATE}::agent! {{
{struct_doc}name: {},
description: {},
model: {} {},
version: {},
last_updated: {},
kind: {},
tools: {},
color: {},
claude_code: {},
error_handling: {error_handling},
source: {},
prompt: {prompt},
}}
",
        str_lit(&spec.name),
        str_lit(&spec.description),
        str_lit(&spec.model),
        claude::model_kind(spec),
        optional_str(spec.version.as_deref()),
        optional_str(spec.last_updated.as_deref()),
        optional_str(spec.kind.as_deref()),
        claude::tools(&spec.tools),
        claude::color(spec),
        claude::settings(&spec.claude_code),
        str_lit(&spec.display_path),
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
