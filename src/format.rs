//! The reply-format instructions: what a model is told about the sections its reply needs,
//! up front ([`Dispatch::reply_format`](crate::Dispatch::reply_format)) or after a reply
//! that missed them ([`ReplyError::feedback`](crate::ReplyError::feedback)).

use regex_syntax::hir::{Class, Hir, HirKind};

use crate::agent::{Requirement, SectionKind};
use crate::reply::{ReplyError, ReplyProblem};

/// A line that matches the line-anchored `pattern`, for showing a model what to write
/// (`^## Summary$` gives `## Summary`, `^### Task \d+:` gives `### Task 1:`, a group of
/// alternatives its first one, free text `<text>`). `None` when the pattern does not parse.
pub fn example_heading(pattern: &str) -> Option<String> {
    literal_heading(pattern).or_else(|| parsed_heading(pattern))
}

/// [`example_heading`] through the pattern's parsed form: for any pattern.
fn parsed_heading(pattern: &str) -> Option<String> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let mut out = String::new();
    write_example(&hir, &mut out);
    Some(out)
}

/// The text of a pattern that is a literal between optional `^` and `$` (`^## Summary`,
/// `^\*\*Goal:\*\*`): most section patterns, read without a regex parser.
fn literal_heading(pattern: &str) -> Option<String> {
    let inner = pattern.strip_prefix('^').unwrap_or(pattern);
    let inner = match inner.strip_suffix('$') {
        Some(rest) if !rest.ends_with('\\') => rest,
        _ => inner,
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) if escaped.is_ascii_punctuation() => out.push(escaped),
                _ => return None,
            },
            '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => return None,
            _ => out.push(c),
        }
    }
    Some(out)
}

/// Classes with more members than this stand for free text (`.`, `\S`, `[^x]`).
const FREE_TEXT_CLASS: u32 = 1_000;

fn write_example(hir: &Hir, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(class) => match class_example(class) {
            Some(example) => out.push(example),
            None => out.push_str("<text>"),
        },
        HirKind::Repetition(repetition) => {
            if let HirKind::Class(class) = repetition.sub.kind() {
                if class_example(class).is_none() {
                    out.push_str("<text>");
                    return;
                }
            }
            for _ in 0..repetition.min.clamp(1, 8) {
                write_example(&repetition.sub, out);
            }
        }
        HirKind::Capture(capture) => write_example(&capture.sub, out),
        HirKind::Concat(parts) => parts.iter().for_each(|part| write_example(part, out)),
        HirKind::Alternation(alternatives) => {
            if let Some(first) = alternatives.first() {
                write_example(first, out);
            }
        }
    }
}

/// A readable member of a small class (`1` for digits, a space for blanks), `None` for a
/// class that stands for free text.
fn class_example(class: &Class) -> Option<char> {
    let Class::Unicode(class) = class else {
        let Class::Bytes(bytes) = class else { return None };
        let first = bytes.ranges().first()?;
        return char::from_u32(u32::from(first.start()));
    };
    let size: u32 = class.ranges().iter().map(|r| u32::from(r.end()) - u32::from(r.start()) + 1).sum();
    if size > FREE_TEXT_CLASS {
        return None;
    }
    let contains = |c: char| class.ranges().iter().any(|r| r.start() <= c && c <= r.end());
    [' ', '1', 'x', 'X']
        .into_iter()
        .find(|&c| contains(c))
        .or_else(|| class.ranges().first().map(|r| r.start()))
}

/// The reply-format instructions for agent sections `S` in `context`: one line per section
/// with an example heading, whether it is required, and the values a value section accepts.
/// Empty when the agent declares no sections.
pub(crate) fn reply_format<S: SectionKind>(context: Option<&S::Context>) -> String {
    if S::ALL.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "## Reply format\n\nWrite your reply in markdown. Start each section with its heading line, \
         exactly as shown, at the start of a line and outside code blocks:\n",
    );
    for (section, pattern) in S::ALL.iter().zip(S::PATTERNS) {
        let heading = example_heading(pattern.pattern).unwrap_or_else(|| pattern.pattern.to_owned());
        let need = match section.requirement() {
            Requirement::Required => "required",
            Requirement::RequiredIn(_) if section.requirement().is_required_in(context) => {
                "required in this context"
            }
            _ => "optional",
        };
        out.push_str(&format!("- `{heading}`: {need}"));
        if pattern.repeated {
            out.push_str(", once per item");
        }
        if let Some(labels) = pattern.labels {
            out.push_str(&format!("; the value is one of: {}", labels.join(", ")));
        }
        out.push('\n');
    }
    out
}

impl ReplyError {
    /// A message to send back to the model after this reply: what is wrong with it, how each
    /// missing section's heading looks and which values are allowed, and a request for the
    /// whole reply again. What a repair turn of a run says.
    pub fn feedback(&self) -> String {
        let mut out = String::from("Your reply does not follow the required format:\n");
        for problem in self.problems() {
            match problem {
                ReplyProblem::MissingSection { section, pattern, context } => {
                    let heading = example_heading(pattern).unwrap_or_else(|| (*pattern).to_owned());
                    out.push_str(&format!("- the section `{section}` is missing: add a line `{heading}`"));
                    if let Some(context) = context {
                        out.push_str(&format!(" (required in context `{context}`)"));
                    }
                    out.push_str(&format!(", matching the pattern `{pattern}`\n"));
                }
                ReplyProblem::InvalidValue { section, found, expected } => out.push_str(&format!(
                    "- the section `{section}` has the value `{found}`; use exactly one of: {}\n",
                    expected.join(", ")
                )),
                other => out.push_str(&format!("- {other}\n")),
            }
        }
        out.push_str(
            "\nReply again with your complete answer, keeping what was right and including every \
             required section with its heading line exactly as shown.",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{example_heading, literal_heading, parsed_heading};

    #[test]
    fn the_literal_fast_path_agrees_with_the_parser() {
        let literal = [
            "^## Summary",
            "^## Summary$",
            r"^\*\*Goal:\*\*",
            "## Files Changed",
            r"^## Cost \(USD\)$",
            "^## Ünïcode — text",
            r"^## a\$",
        ];
        for pattern in literal {
            assert!(literal_heading(pattern).is_some(), "{pattern} is literal");
            assert_eq!(literal_heading(pattern), parsed_heading(pattern), "{pattern}");
        }
        for pattern in [r"^### Task \d+:", "^## (A|B)$", "(?i)^## x", r"^## a\b", "^## a.b", r"^\s*## x"] {
            assert_eq!(literal_heading(pattern), None, "{pattern} is not literal");
        }
    }

    #[test]
    fn example_headings_read_like_the_heading() {
        let cases = [
            ("^## Summary$", "## Summary"),
            (r"^### Task \d+:", "### Task 1:"),
            ("^## VERDICT: (PASS|FAIL|NEEDS_DISCUSSION)$", "## VERDICT: PASS"),
            (r"^\*\*Goal:\*\*", "**Goal:**"),
            (r"^##\s+Files Changed", "## Files Changed"),
            (r"^### (Critical|High): .+", "### Critical: <text>"),
            (r"^## Blockers?", "## Blockers"),
            (r"^#{2,3} Notes", "## Notes"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(example_heading(pattern).as_deref(), Some(expected), "{pattern}");
        }
        assert_eq!(example_heading("(unclosed"), None);
    }
}
