//! The reply grammar of a dispatch: GBNF (llama.cpp's grammar format, which other servers
//! built on llama.cpp accept too) of every reply that meets the contract in the dispatch's
//! context, so that a server with constrained decoding cannot break it.
//!
//! The reply is the agent's sections in file order: each heading line as its pattern allows
//! (the expressions codegen made from the patterns: literal headings exactly, a group of
//! alternatives as those labels), sections required in the context once, optional ones at
//! most once, repeated ones one or more times (or none, when optional); then, for an agent
//! that declares metrics, a `## Metrics` block of `name: value` lines of the right kind. A
//! section's body is free lines that cannot start another section (no line starts with a
//! character a heading starts with), at most [`MAX_BODY_LINES`] lines of at most
//! [`MAX_LINE_CHARS`] characters, so a model that loops still ends.

use std::fmt;

use crate::format::Need;
use crate::numbers::MetricKind;
use crate::pattern::{first_byte, SectionPattern};

/// The most lines of one section's body.
pub const MAX_BODY_LINES: usize = 60;
/// The most characters of one body line.
pub const MAX_LINE_CHARS: usize = 400;

/// Why an agent has no reply grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GrammarError {
    /// The agent declares no sections: any text is a reply.
    NoSections,
    /// A section's pattern has no grammar (codegen's reason is in the module's docs).
    Pattern {
        /// The section.
        section: String,
    },
    /// A section's heading can start with any character, so bodies cannot be kept from
    /// starting it.
    NoFirstCharacter {
        /// The section.
        section: String,
    },
}

impl fmt::Display for GrammarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrammarError::NoSections => f.write_str("the agent declares no sections, so its replies need no grammar"),
            GrammarError::Pattern { section } => {
                write!(f, "the pattern of section `{section}` cannot be written as a grammar")
            }
            GrammarError::NoFirstCharacter { section } => write!(
                f,
                "the heading of section `{section}` can start with any character, so section bodies cannot exclude it"
            ),
        }
    }
}

impl std::error::Error for GrammarError {}

/// The GBNF of a reply with `sections` (in file order, with whether each is required in the
/// dispatch's context) and `metrics`.
pub(crate) fn reply_grammar<'p>(
    sections: impl IntoIterator<Item = (SectionPattern<'p>, Need)>,
    metrics: &[(&str, MetricKind)],
) -> Result<String, GrammarError> {
    let sections: Vec<(SectionPattern<'p>, Need)> = sections.into_iter().collect();
    if sections.is_empty() {
        return Err(GrammarError::NoSections);
    }
    let mut excluded = Vec::new();
    for (pattern, _) in &sections {
        let Some(byte) = first_byte(pattern.pattern) else {
            return Err(GrammarError::NoFirstCharacter { section: pattern.name.to_owned() });
        };
        if !excluded.contains(&byte) {
            excluded.push(byte);
        }
    }
    let with_metrics =
        !metrics.is_empty() && !sections.iter().any(|(p, _)| p.name.eq_ignore_ascii_case("metrics"));
    if with_metrics && !excluded.contains(&b'#') {
        excluded.push(b'#');
    }
    let mut root = Vec::new();
    let mut rules = String::new();
    for (i, (pattern, need)) in sections.iter().enumerate() {
        let heading =
            pattern.grammar.ok_or_else(|| GrammarError::Pattern { section: pattern.name.to_owned() })?;
        rules.push_str(&format!("s{i} ::= h{i} \"\\n\" body\nh{i} ::= {heading}\n"));
        let required = *need != Need::Optional;
        root.push(match (pattern.repeated, required) {
            (false, true) => format!("s{i}"),
            (false, false) => format!("s{i}?"),
            (true, true) => format!("s{i}+"),
            (true, false) => format!("s{i}*"),
        });
    }
    if with_metrics {
        root.push("metrics".to_owned());
        let lines: Vec<String> = metrics
            .iter()
            .map(|(name, kind)| {
                format!("{} {} \"\\n\"", crate_quoted(&format!("{name}: ")), metric_value(*kind))
            })
            .collect();
        rules.push_str(&format!("metrics ::= \"\\n\"? \"## Metrics\\n\" {}\n", lines.join(" ")));
    }
    let excluded: String = excluded.iter().map(|b| format!("\\x{b:02X}")).collect();
    rules.push_str(&format!(
        "body ::= line{{0,{MAX_BODY_LINES}}}\nline ::= \"\\n\" | [^\\n{excluded}] [^\\n]{{0,{}}} \"\\n\"\n",
        MAX_LINE_CHARS - 1
    ));
    Ok(format!("root ::= {}\n{rules}", root.join(" ")))
}

/// The GBNF of a value of a metric of `kind`, as `Metrics::from_reply` reads it.
fn metric_value(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Integer => "\"-\"? [0-9]{1,15}",
        MetricKind::Float => "\"-\"? [0-9]{1,15} (\".\" [0-9]{1,6})?",
        MetricKind::Percentage => "[0-9]{1,3} (\".\" [0-9]{1,3})? \"%\"",
        MetricKind::Boolean => "(\"true\" | \"false\")",
        MetricKind::Fraction => "[0-9]{1,9} (\".\" [0-9]{1,6} | \"/\" [0-9]{1,9})?",
    }
}

/// `text` as a GBNF string literal.
fn crate_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: SectionPattern<'static> =
        SectionPattern::once("Summary", "^## Summary").with_grammar(r####""## Summary" [^\n]{0,200}"####);
    const TASK: SectionPattern<'static> = SectionPattern::repeated("Task", r"^### Task \d+:")
        .with_grammar(r####""### Task " [0-9]+ ":" [^\n]{0,200}"####);
    const GOAL: SectionPattern<'static> =
        SectionPattern::once("Goal", r"^\*\*Goal:\*\*").with_grammar(r####""**Goal:**" [^\n]{0,200}"####);

    #[test]
    fn sections_follow_in_file_order_as_often_as_the_context_requires() {
        let grammar = reply_grammar(
            [(GOAL, Need::Optional), (SUMMARY, Need::Required), (TASK, Need::InThisContext)],
            &[("files_changed", MetricKind::Integer), ("coverage", MetricKind::Percentage)],
        )
        .unwrap();
        let root = grammar.lines().next().unwrap();
        assert_eq!(root, "root ::= s0? s1 s2+ metrics");
        assert!(grammar.contains("h1 ::= \"## Summary\" [^\\n]{0,200}\n"), "{grammar}");
        assert!(grammar.contains("s2 ::= h2 \"\\n\" body\n"), "{grammar}");
        // Bodies cannot start a heading: no line starts with `*` or `#`.
        assert!(grammar.contains(r####"line ::= "\n" | [^\n\x2A\x23] [^\n]{0,399} "\n""####), "{grammar}");
        assert!(
            grammar.contains(r####"metrics ::= "\n"? "## Metrics\n" "files_changed: " "-"? [0-9]{1,15} "\n" "coverage: ""####),
            "{grammar}"
        );
        let optional = reply_grammar([(TASK, Need::Optional)], &[]).unwrap();
        assert!(optional.starts_with("root ::= s0*\n"), "{optional}");
    }

    #[test]
    fn agents_without_a_grammar_say_why() {
        assert_eq!(reply_grammar([], &[]), Err(GrammarError::NoSections));
        let no_grammar = SectionPattern::once("Summary", "^## Summary");
        assert_eq!(
            reply_grammar([(no_grammar, Need::Required)], &[]),
            Err(GrammarError::Pattern { section: "Summary".into() })
        );
        let anywhere = SectionPattern::once("Note", "NOTE:").with_grammar("\"NOTE:\"");
        assert_eq!(
            reply_grammar([(anywhere, Need::Required)], &[]),
            Err(GrammarError::NoFirstCharacter { section: "Note".into() })
        );
    }
}
