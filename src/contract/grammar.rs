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
//! character a heading starts with), at most [`GrammarLimits::body_lines`] lines of at most
//! [`GrammarLimits::line_chars`] characters, so that a model that loops still ends, and ends
//! within its token limit ([`GrammarLimits::within_tokens`]) rather than in the middle of the
//! first section.

use std::fmt;

use crate::format::Need;
use crate::numbers::MetricKind;
use crate::pattern::{first_byte, SectionPattern};

/// How long a reply may be: the grammar bounds every part, so that a model that loops still
/// ends, and ends within its token limit rather than in the middle of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrammarLimits {
    /// The most lines of one section's body (blank lines and code lines count).
    pub body_lines: usize,
    /// The most characters of one body line.
    pub line_chars: usize,
    /// The most occurrences of a repeated section.
    pub repeats: usize,
    /// When set, `body_lines` is lowered so that a whole reply fits in about this many tokens
    /// (three characters a token).
    pub max_tokens: Option<u32>,
}

impl Default for GrammarLimits {
    /// 12 lines of at most 200 characters per section, repeated sections at most 8 times.
    fn default() -> Self {
        Self { body_lines: 12, line_chars: 200, repeats: 8, max_tokens: None }
    }
}

impl GrammarLimits {
    /// `body_lines` lines of at most `line_chars` characters, repeated sections at most
    /// `repeats` times (each at least 1).
    pub fn new(body_lines: usize, line_chars: usize, repeats: usize) -> Self {
        Self {
            body_lines: body_lines.max(1),
            line_chars: line_chars.max(1),
            repeats: repeats.max(1),
            max_tokens: None,
        }
    }

    /// These limits, with bodies short enough for a reply of about `max_tokens` tokens.
    pub fn within_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    /// The body lines of each section occurrence, once the token budget is shared by `units`
    /// occurrences whose headings take `heading_chars` each.
    pub(crate) fn lines_for(&self, units: usize, heading_chars: usize) -> usize {
        let Some(tokens) = self.max_tokens else { return self.body_lines };
        let per_unit = (tokens as usize * 3 / units.max(1)).saturating_sub(heading_chars);
        (per_unit / self.line_chars).clamp(1, self.body_lines)
    }
}

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
    limits: GrammarLimits,
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
        let repeats = limits.repeats;
        root.push(match (pattern.repeated, required) {
            (false, true) => format!("s{i}"),
            (false, false) => format!("s{i}?"),
            (true, true) => format!("s{i}{{1,{repeats}}}"),
            (true, false) => format!("s{i}{{0,{repeats}}}"),
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
    // A line may not start a heading, nor a code fence: fences come whole (`fence`), so that
    // no heading the grammar allows is inside one, where the scanner would not see it.
    for fence in [b'`', b'~'] {
        if !excluded.contains(&fence) {
            excluded.push(fence);
        }
    }
    let excluded: String = excluded.iter().map(|b| format!("\\x{b:02X}")).collect();
    let units = sections.iter().map(|(p, _)| if p.repeated { limits.repeats } else { 1 }).sum::<usize>()
        + usize::from(with_metrics);
    let lines = limits.lines_for(units, 40);
    let rest = limits.line_chars - 1;
    rules.push_str(&format!(
        "body ::= (line | fence){{0,{lines}}}\nline ::= \"\\n\" | [^\\n{excluded}] [^\\n]{{0,{rest}}} \"\\n\"\n\
         fence ::= \"```\" [a-z0-9+-]{{0,16}} \"\\n\" code{{0,{lines}}} \"```\\n\"\ncode ::= \"\\n\" | [^\\n\\x60] [^\\n]{{0,{rest}}} \"\\n\"\n"
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
            GrammarLimits::new(60, 400, 8),
        )
        .unwrap();
        let root = grammar.lines().next().unwrap();
        assert_eq!(root, "root ::= s0? s1 s2{1,8} metrics");
        assert!(grammar.contains("h1 ::= \"## Summary\" [^\\n]{0,200}\n"), "{grammar}");
        assert!(grammar.contains("s2 ::= h2 \"\\n\" body\n"), "{grammar}");
        // Bodies cannot start a heading: no line starts with `*` or `#`.
        assert!(
            grammar.contains(r####"line ::= "\n" | [^\n\x2A\x23\x60\x7E] [^\n]{0,399} "\n""####),
            "{grammar}"
        );
        assert!(
            grammar.contains(r####"fence ::= "```" [a-z0-9+-]{0,16} "\n" code{0,60} "```\n""####),
            "{grammar}"
        );
        assert!(
            grammar.contains(r####"metrics ::= "\n"? "## Metrics\n" "files_changed: " "-"? [0-9]{1,15} "\n" "coverage: ""####),
            "{grammar}"
        );
        // A token budget shortens bodies: 300 tokens for 1 + 1 + 8 + 1 occurrences.
        let short = reply_grammar(
            [(GOAL, Need::Optional), (SUMMARY, Need::Required), (TASK, Need::InThisContext)],
            &[("files_changed", MetricKind::Integer)],
            GrammarLimits::new(60, 40, 8).within_tokens(300),
        )
        .unwrap();
        assert!(short.contains("body ::= (line | fence){0,1}\n"), "{short}");
        let optional = reply_grammar([(TASK, Need::Optional)], &[], GrammarLimits::default()).unwrap();
        assert!(optional.starts_with("root ::= s0{0,8}\n"), "{optional}");
    }

    #[test]
    fn agents_without_a_grammar_say_why() {
        assert_eq!(reply_grammar([], &[], GrammarLimits::default()), Err(GrammarError::NoSections));
        let no_grammar = SectionPattern::once("Summary", "^## Summary");
        assert_eq!(
            reply_grammar([(no_grammar, Need::Required)], &[], GrammarLimits::default()),
            Err(GrammarError::Pattern { section: "Summary".into() })
        );
        let anywhere = SectionPattern::once("Note", "NOTE:").with_grammar("\"NOTE:\"");
        assert_eq!(
            reply_grammar([(anywhere, Need::Required)], &[], GrammarLimits::default()),
            Err(GrammarError::NoFirstCharacter { section: "Note".into() })
        );
    }
}
