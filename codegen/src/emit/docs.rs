//! Rustdoc text built from the agent file.

use super::emit;
use crate::model::{AgentSpec, RequirementSpec, SectionSpec};
use crate::pattern::PatternShape;

/// `#[doc = "..."]` for `text`, as source text ending in a line break.
///
/// prettyplease writes an outer `#[doc]` attribute as a `///` comment with its text as it is,
/// and rustc refuses a bare carriage return in a doc comment and denies bidi control
/// characters in comments: a file whose description holds one would give a build script
/// output that does not compile. So line endings become `\n` and those characters become
/// visible escapes (`\u{202e}`), in both binding paths.
pub(crate) fn doc(text: &str) -> String {
    let text = comment_safe(text);
    let mut out = String::with_capacity(text.len() + 12);
    out.push_str("#[doc = ");
    super::push_str_lit(&mut out, &text);
    out.push_str("]\n");
    out
}

/// Whether `c` may not appear raw in a Rust comment: a control character other than tab and
/// line feed, or a bidi control (rustc's `text_direction_codepoint_in_comment`).
pub(crate) fn unsafe_in_comment(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || crate::diagnostic::is_bidi_control(c)
}

/// `text` with `\r\n` and `\r` as `\n`, and [`unsafe_in_comment`] characters written as
/// `\u{..}` text.
pub(crate) fn comment_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(unsafe_in_comment) {
        return std::borrow::Cow::Borrowed(text);
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_in_comment(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Escapes text from the file so rustdoc shows it as written: no intra-doc links, no HTML,
/// tabs as four spaces.
pub(crate) fn escape(text: &str) -> String {
    if !text.contains(['\t', '\\', '[', ']', '<', '>']) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\t' {
            out.push_str("    ");
            continue;
        }
        if matches!(c, '\\' | '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Appends `separator` and the escaped `description`, when there is one.
pub(crate) fn push_description(text: &mut String, separator: &str, description: Option<&str>) {
    if let Some(description) = description {
        text.push_str(separator);
        text.push_str(&escape(description));
    }
}

/// Text for a table cell: escaped, on one line, pipes escaped.
pub(crate) fn cell(text: &str) -> String {
    let escaped = escape(text);
    if !escaped.contains(['|', '\r', '\n']) {
        return escaped;
    }
    escaped.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A code span for a table cell (`pattern`), with pipes escaped.
pub(crate) fn code_cell(text: &str) -> String {
    let ticks = if text.contains('`') { "``" } else { "`" };
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    if !text.contains(['|', '\r', '\n']) {
        return format!("{ticks}{pad}{text}{pad}{ticks}");
    }
    format!("{ticks}{pad}{}{pad}{ticks}", text.replace('|', "\\|").replace(['\r', '\n'], " "))
}

/// When a section is required, in words.
pub(crate) fn requirement(spec: &AgentSpec, section: &SectionSpec) -> String {
    match &section.requirement {
        RequirementSpec::Required => "yes".into(),
        RequirementSpec::Optional => "no".into(),
        RequirementSpec::RequiredIn(contexts) => format!(
            "in context {}",
            contexts.iter().map(|&i| code_cell(&spec.contexts[i].name)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// How a section is held in `Output`, in words.
pub(crate) fn shape(section: &SectionSpec) -> &'static str {
    match section.shape {
        PatternShape::Single => "once",
        PatternShape::Repeated => "repeated: every occurrence is kept",
        PatternShape::Value { single: true, .. } => "once, with a value",
        PatternShape::Value { single: false, .. } => "repeated, each with a value",
    }
}

/// The module's documentation: what the agent is and its whole contract.
pub(crate) fn module_doc(spec: &AgentSpec) -> String {
    let mut out = format!("Typed bindings for the agent `{}`.\n\n", spec.name);
    if !spec.description.trim().is_empty() {
        out.push_str(&escape(spec.description.trim()));
        out.push_str("\n\n");
    }
    out.push_str("| | |\n|---|---|\n");
    emit!(&mut out, "| Model | {} |\n", code_cell(&spec.model));
    if let Some(version) = &spec.version {
        emit!(&mut out, "| Version | {} |\n", cell(version));
    }
    if let Some(date) = &spec.last_updated {
        emit!(&mut out, "| Last updated | {} |\n", cell(date));
    }
    if let Some(kind) = &spec.kind {
        emit!(&mut out, "| Type | {} |\n", cell(kind));
    }
    if !spec.tools.is_empty() {
        emit!(
            &mut out,
            "| Tools | {} |\n",
            spec.tools.iter().map(|t| code_cell(&t.text())).collect::<Vec<_>>().join(", ")
        );
    }
    if let Some(color) = &spec.color {
        emit!(&mut out, "| Color | {} |\n", cell(color));
    }
    claude_code_rows(&spec.claude_code, &mut out);
    emit!(&mut out, "| Source | {} |\n", code_cell(&spec.display_path));
    if spec.lenient {
        out.push_str("\nThe frontmatter is not strict YAML; it was read as Claude Code reads it (top-level `key: value` lines).\n");
    }

    out.push_str("\n# Inputs\n\n");
    if spec.inputs.is_empty() {
        out.push_str("This agent declares no inputs: `Input::new()` takes nothing.\n");
    } else {
        out.push_str("| Input | Field | Type | Required | Description |\n|---|---|---|---|---|\n");
        for input in &spec.inputs {
            emit!(
                &mut out,
                "| {} | `{}` | {} | {} | {} |\n",
                cell(&input.name),
                input.field,
                cell(&input.ty.file_name()),
                if input.required { "yes" } else { "no" },
                cell(input.description.as_deref().unwrap_or_default())
            );
        }
    }

    out.push_str("\n# Reply sections\n\n");
    if spec.sections.is_empty() {
        out.push_str("This agent declares no reply sections.\n");
    } else {
        out.push_str(
            "| Section | Field | Pattern | Required | Occurs | Description |\n|---|---|---|---|---|---|\n",
        );
        for section in &spec.sections {
            emit!(
                &mut out,
                "| {} | `{}` | {} | {} | {} | {} |\n",
                cell(&section.name),
                section.field,
                code_cell(&section.pattern),
                requirement(spec, section),
                shape(section),
                cell(section.description.as_deref().unwrap_or_default())
            );
        }
        let missing: Vec<String> = spec
            .sections
            .iter()
            .filter_map(|s| {
                s.heading_grammar.as_ref().err().map(|why| format!("`{}`: {}", escape(&s.name), escape(why)))
            })
            .collect();
        if missing.is_empty() {
            out.push_str("
Every section pattern has a grammar: `Dispatch::reply_grammar` gives the reply grammar (GBNF) for servers with constrained decoding.
");
        } else {
            emit!(
                &mut out,
                "
No reply grammar (`Dispatch::reply_grammar` says why): {}.
",
                missing.join("; ")
            );
        }
    }

    if !spec.contexts.is_empty() {
        out.push_str("\n# Invocation contexts\n\n");
        for context in &spec.contexts {
            emit!(&mut out, "- {} (`InvocationContext::{}`)", code_cell(&context.name), context.variant);
            if let Some(marker) = &context.marker {
                emit!(&mut out, ": the prompt carries {}", code_cell(marker));
            }
            out.push('\n');
        }
    }

    if !spec.metrics.is_empty() {
        out.push_str("\n# Metrics\n\n| Metric | Field | Type | Description |\n|---|---|---|---|\n");
        for metric in &spec.metrics {
            emit!(
                &mut out,
                "| {} | `{}` | {} | {} |\n",
                cell(&metric.name),
                metric.field,
                metric.kind.file_name(),
                cell(metric.description.as_deref().unwrap_or_default())
            );
        }
    }

    if let Some(handling) = &spec.error_handling {
        emit!(
            &mut out,
            "\n# Error handling\n\n- on blocker: {}\n- escalation path: {}\n",
            code_cell(&handling.on_blocker),
            code_cell(&handling.escalation_path)
        );
    }

    if !spec.changelog.is_empty() {
        out.push_str("\n# Changelog\n\n");
        for entry in &spec.changelog {
            emit!(&mut out, "- {}\n", escape(entry).replace('\n', " "));
        }
    }

    if !spec.other_keys.is_empty() || spec.format.is_some() {
        out.push_str("\n# Other keys\n\n");
        if let Some(format) = &spec.format {
            emit!(&mut out, "- `output_schema.format`: {}\n", escape(format));
        }
        for (key, value) in &spec.other_keys {
            emit!(&mut out, "- {}: {}\n", code_cell(key), escape(value).replace('\n', " "));
        }
    }
    out
}

/// Table rows for the Claude Code keys that are present.
fn claude_code_rows(spec: &crate::model::ClaudeCodeSpec, out: &mut String) {
    let list = |items: &[String]| items.iter().map(|t| code_cell(t)).collect::<Vec<_>>().join(", ");
    let mut row = |label: &str, value: String| emit!(out, "| {label} | {value} |\n");
    if !spec.disallowed_tools.is_empty() {
        row("Disallowed tools", list(&spec.disallowed_tools.iter().map(|t| t.text()).collect::<Vec<_>>()));
    }
    for (label, value) in [
        ("Permission mode", &spec.permission_mode),
        ("Memory", &spec.memory),
        ("Effort", &spec.effort),
        ("Isolation", &spec.isolation),
        ("Hooks", &spec.hooks),
    ] {
        if let Some(value) = value {
            row(label, code_cell(value));
        }
    }
    if let Some(turns) = spec.max_turns {
        row("Max turns", turns.to_string());
    }
    if let Some(background) = spec.background {
        row("Background", background.to_string());
    }
    if !spec.skills.is_empty() {
        row("Skills", list(&spec.skills));
    }
    if !spec.mcp_servers.is_empty() {
        row("MCP servers", list(&spec.mcp_servers));
    }
    if let Some(prompt) = &spec.initial_prompt {
        row("Initial prompt", cell(prompt));
    }
}
