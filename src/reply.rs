//! What reply parsing gives back: section texts, typed values and errors.

use std::fmt;

use crate::agent::{LabeledEnum, SectionKind};
use crate::scan::SectionPattern;

/// The text of one section of a reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SectionText {
    /// The whole line that matched the section's pattern (`## Summary`, `### Task 2: Wire DB`).
    pub heading: String,
    /// The section's content: the rest of the heading line after the match (as in
    /// `**Goal:** text`), then every line up to the next section, with line endings normalised
    /// to `\n` and surrounding blank lines removed.
    pub body: String,
}

impl SectionText {
    /// The body.
    pub fn as_str(&self) -> &str {
        &self.body
    }

    /// The heading line without its markdown decoration: the ATX marks (`## `, and a closing
    /// `##`), a list or quote mark (`- `, `> `), and emphasis that wraps the whole heading.
    /// `## Summary` gives `Summary`, `### Task 2: Wire DB` gives `Task 2: Wire DB`,
    /// `**VERDICT: PASS**` gives `VERDICT: PASS`; `**Goal:** text` keeps its inner emphasis.
    pub fn title(&self) -> &str {
        heading_title(&self.heading)
    }
}

/// See [`SectionText::title`].
fn heading_title(heading: &str) -> &str {
    let mut title = heading.trim();
    for mark in ["> ", "- ", "* ", "+ "] {
        if let Some(rest) = title.strip_prefix(mark) {
            title = rest.trim_start();
            break;
        }
    }
    let hashes = title.len() - title.trim_start_matches('#').len();
    if (1..=6).contains(&hashes) && title[hashes..].chars().next().is_none_or(char::is_whitespace) {
        title = title[hashes..].trim();
        let closing = title.trim_end_matches('#');
        if closing.is_empty() || closing.ends_with(char::is_whitespace) {
            title = closing.trim_end();
        }
    }
    for mark in ["**", "__", "*", "_", "`"] {
        if let Some(inner) = title.strip_prefix(mark).and_then(|t| t.strip_suffix(mark)) {
            if !inner.is_empty() && !inner.contains(mark) {
                return inner.trim();
            }
        }
    }
    title
}

impl AsRef<str> for SectionText {
    fn as_ref(&self) -> &str {
        &self.body
    }
}

impl fmt::Display for SectionText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.body)
    }
}

/// A section whose heading carries a value from a closed set, such as
/// `## VERDICT: PASS` for the pattern `^## VERDICT: (PASS|FAIL)$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Captured<V> {
    /// The value in the heading.
    pub value: V,
    /// The section's text.
    pub text: SectionText,
}

impl<V: LabeledEnum> fmt::Display for Captured<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value.label())
    }
}

/// A section type that can be built from one occurrence in a reply: [`SectionText`] or
/// [`Captured`].
pub trait FromOccurrence: Sized {
    /// Builds the value from the occurrence of `section`; `label` is capture group 1 of the
    /// pattern, when it has one.
    fn from_occurrence(
        section: &'static str,
        text: SectionText,
        label: Option<&str>,
    ) -> Result<Self, ReplyProblem>;
}

impl FromOccurrence for SectionText {
    fn from_occurrence(
        _section: &'static str,
        text: SectionText,
        _label: Option<&str>,
    ) -> Result<Self, ReplyProblem> {
        Ok(text)
    }
}

impl<V: LabeledEnum> FromOccurrence for Captured<V> {
    fn from_occurrence(
        section: &'static str,
        text: SectionText,
        label: Option<&str>,
    ) -> Result<Self, ReplyProblem> {
        let found = label.unwrap_or_default();
        match crate::labeled::match_label(found, V::LABELS).and_then(V::from_label) {
            Some(value) => Ok(Captured { value, text }),
            None => Err(ReplyProblem::InvalidValue { section, found: found.to_owned(), expected: V::LABELS }),
        }
    }
}

/// One occurrence of a section found by the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub(crate) text: SectionText,
    pub(crate) label: Option<String>,
}

/// The sections found in one reply, in the order of the agent's `Section::ALL`; what
/// [`AgentOutput::from_reply`](crate::AgentOutput::from_reply) reads from.
#[derive(Debug, PartialEq, Eq)]
pub struct ReplySections {
    patterns: &'static [SectionPattern],
    found: Vec<Vec<Occurrence>>,
    problems: Vec<ReplyProblem>,
}

impl ReplySections {
    pub(crate) fn new(patterns: &'static [SectionPattern]) -> Self {
        Self { patterns, found: vec![Vec::new(); patterns.len()], problems: Vec::new() }
    }

    pub(crate) fn push(&mut self, index: usize, occurrence: Occurrence) {
        self.found[index].push(occurrence);
    }

    /// The last occurrence of the section at `index`, if any.
    pub(crate) fn last(&self, index: usize) -> Option<&Occurrence> {
        self.found.get(index)?.last()
    }

    /// Replaces each value-section label by the label it names ([`match_label`]), and
    /// records every one that names none.
    ///
    /// [`match_label`]: crate::labeled::match_label
    pub(crate) fn check_labels(&mut self) {
        for (pattern, found) in self.patterns.iter().zip(&mut self.found) {
            let Some(labels) = pattern.labels else { continue };
            for occurrence in found {
                let label = occurrence.label.as_deref().unwrap_or_default();
                match crate::labeled::match_label(label, labels) {
                    Some(canonical) => {
                        if canonical != label {
                            occurrence.label = Some(canonical.to_owned());
                        }
                    }
                    None => self.problems.push(ReplyProblem::InvalidValue {
                        section: pattern.name,
                        found: label.to_owned(),
                        expected: labels,
                    }),
                }
            }
        }
    }

    /// Every problem of the reply for a dispatch in `context`: missing required sections and
    /// values outside their labels.
    pub(crate) fn problems<S: SectionKind>(&self, context: Option<&S::Context>) -> Vec<ReplyProblem> {
        let mut problems: Vec<ReplyProblem> = S::ALL
            .iter()
            .filter(|s| s.requirement().is_required_in(context) && self.count(s.index()) == 0)
            .map(|s| ReplyProblem::MissingSection {
                section: s.name(),
                pattern: s.pattern(),
                context: match s.requirement() {
                    crate::Requirement::RequiredIn(_) => context.map(|c| crate::ContextKind::name(*c)),
                    _ => None,
                },
            })
            .collect();
        problems.extend(self.problems.iter().cloned());
        problems
    }

    /// How many times the section at `index` occurs.
    pub fn count(&self, index: usize) -> usize {
        self.found.get(index).map_or(0, Vec::len)
    }

    /// The texts of the section at `index`, in reply order.
    pub fn texts(&self, index: usize) -> impl Iterator<Item = &SectionText> {
        self.found.get(index).into_iter().flatten().map(|o| &o.text)
    }

    /// Takes the first occurrence of a required section.
    pub fn required<T: FromOccurrence>(&mut self, index: usize) -> Result<T, ReplyError> {
        match self.optional(index)? {
            Some(value) => Ok(value),
            None => Err(ReplyError::new(vec![ReplyProblem::MissingSection {
                section: self.name(index),
                pattern: self.patterns.get(index).map_or("", |p| p.pattern),
                context: None,
            }])),
        }
    }

    /// Takes the first occurrence of a section, if any.
    pub fn optional<T: FromOccurrence>(&mut self, index: usize) -> Result<Option<T>, ReplyError> {
        let name = self.name(index);
        let Some(found) = self.found.get_mut(index) else { return Ok(None) };
        if found.is_empty() {
            return Ok(None);
        }
        let occurrence = found.remove(0);
        T::from_occurrence(name, occurrence.text, occurrence.label.as_deref())
            .map(Some)
            .map_err(|problem| ReplyError::new(vec![problem]))
    }

    /// Takes every occurrence of a repeated section, in reply order.
    pub fn repeated<T: FromOccurrence>(&mut self, index: usize) -> Result<Vec<T>, ReplyError> {
        let name = self.name(index);
        let Some(found) = self.found.get_mut(index) else { return Ok(Vec::new()) };
        std::mem::take(found)
            .into_iter()
            .map(|o| T::from_occurrence(name, o.text, o.label.as_deref()))
            .collect::<Result<_, _>>()
            .map_err(|problem| ReplyError::new(vec![problem]))
    }

    fn name(&self, index: usize) -> &'static str {
        self.patterns.get(index).map_or("?", |p| p.name)
    }
}

/// One way in which a reply breaks the agent's contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyProblem {
    /// A required section has no line matching its pattern.
    MissingSection {
        /// The section's name.
        section: &'static str,
        /// The section's pattern.
        pattern: &'static str,
        /// The invocation context that makes the section required, for a conditional section.
        context: Option<&'static str>,
    },
    /// A value section's heading holds a value outside its labels.
    InvalidValue {
        /// The section's name.
        section: &'static str,
        /// The value in the reply.
        found: String,
        /// The accepted labels.
        expected: &'static [&'static str],
    },
    /// The reply is larger than [`MAX_REPLY_BYTES`](crate::MAX_REPLY_BYTES).
    TooLarge {
        /// The reply's length in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A section pattern could not be compiled (it was checked at compile time, so this means
    /// the runtime and the generator disagree on regular-expression syntax).
    InvalidPattern {
        /// The section's name.
        section: &'static str,
        /// The regex error.
        error: String,
    },
}

impl fmt::Display for ReplyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyProblem::MissingSection { section, pattern, context: None } => {
                write!(f, "missing required section `{section}` (no line matches `{pattern}`)")
            }
            ReplyProblem::MissingSection { section, pattern, context: Some(context) } => write!(
                f,
                "missing section `{section}`, required in context `{context}` (no line matches `{pattern}`)"
            ),
            ReplyProblem::InvalidValue { section, found, expected } => {
                write!(f, "section `{section}` has value `{found}`, expected one of: {}", expected.join(", "))
            }
            ReplyProblem::TooLarge { len, limit } => {
                write!(f, "reply of {len} bytes is larger than the limit of {limit} bytes")
            }
            ReplyProblem::InvalidPattern { section, error } => {
                write!(f, "pattern of section `{section}` does not compile: {error}")
            }
        }
    }
}

/// A reply that does not match the agent's contract. Lists every problem at once.
///
/// An error from [`Dispatch::parse_reply`](crate::Dispatch::parse_reply) also names the agent
/// and keeps the reply text, so that it can be logged or sent back to the model
/// ([`ReplyError::reply`]); a reply refused for its size is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyError {
    problems: Vec<ReplyProblem>,
    agent: Option<&'static str>,
    reply: Option<String>,
}

impl ReplyError {
    /// An error made of `problems`, for no agent in particular.
    pub fn new(problems: Vec<ReplyProblem>) -> Self {
        Self { problems, agent: None, reply: None }
    }

    /// This error, naming `agent`.
    pub fn with_agent(mut self, agent: &'static str) -> Self {
        self.agent = Some(agent);
        self
    }

    /// This error, keeping the text of the reply it is about.
    pub fn with_reply(mut self, reply: impl Into<String>) -> Self {
        self.reply = Some(reply.into());
        self
    }

    /// Every problem found.
    pub fn problems(&self) -> &[ReplyProblem] {
        &self.problems
    }

    /// The name of the agent whose contract the reply breaks, when known.
    pub fn agent(&self) -> Option<&'static str> {
        self.agent
    }

    /// The reply text, when kept (always, for errors of `parse_reply`, except for replies
    /// over [`MAX_REPLY_BYTES`](crate::MAX_REPLY_BYTES)).
    pub fn reply(&self) -> Option<&str> {
        self.reply.as_deref()
    }

    /// Takes the reply text out of the error.
    pub fn into_reply(self) -> Option<String> {
        self.reply
    }

    /// Takes the reply text out of the error, leaving the error without it.
    pub fn take_reply(&mut self) -> Option<String> {
        self.reply.take()
    }

    /// The names of the required sections that are missing, in file order.
    pub fn missing_sections(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.problems.iter().filter_map(|p| match p {
            ReplyProblem::MissingSection { section, .. } => Some(*section),
            _ => None,
        })
    }
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.agent {
            Some(agent) => write!(f, "the reply of agent `{agent}` does not match its contract")?,
            None => f.write_str("the reply does not match the agent's contract")?,
        }
        match self.problems.as_slice() {
            [one] => write!(f, ": {one}"),
            many => {
                write!(f, " ({} problems):", many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ReplyError {}

/// Writes a typed reply back to markdown, section by section; what generated
/// `Output::to_markdown` uses. Parsing the result gives the same `Output` back, as long as no
/// body holds a line that starts a section.
#[derive(Debug)]
pub struct ReplyWriter {
    matcher: &'static crate::SectionMatcher,
    out: String,
}

impl ReplyWriter {
    /// A writer for the sections of `matcher`'s agent.
    pub fn new(matcher: &'static crate::SectionMatcher) -> Self {
        Self { matcher, out: String::new() }
    }

    /// Writes the section at `index` (every occurrence, for a list; nothing, for `None`).
    pub fn section<T: WriteSection + ?Sized>(&mut self, index: usize, value: &T) {
        value.write_section(self, index);
    }

    /// Writes one occurrence: its heading line, then its body without the text that the
    /// scanner took from the heading line (`**Goal:** text`).
    pub fn text(&mut self, index: usize, text: &SectionText) {
        let rest = self.matcher.rest_of_heading(index, &text.heading).trim();
        let body = match text.body.strip_prefix(rest) {
            Some(after) if !rest.is_empty() => after.strip_prefix('\n').unwrap_or(after),
            _ => text.body.as_str(),
        };
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(&text.heading);
        self.out.push('\n');
        if !body.is_empty() {
            self.out.push_str(body);
            self.out.push('\n');
        }
    }

    /// The markdown written.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A section field of a generated `Output`: [`SectionText`], [`Captured`], `Option` or `Vec`.
pub trait WriteSection {
    /// Writes the field as section `index`.
    fn write_section(&self, writer: &mut ReplyWriter, index: usize);
}

impl WriteSection for SectionText {
    fn write_section(&self, writer: &mut ReplyWriter, index: usize) {
        writer.text(index, self);
    }
}

impl<V> WriteSection for Captured<V> {
    fn write_section(&self, writer: &mut ReplyWriter, index: usize) {
        writer.text(index, &self.text);
    }
}

impl<T: WriteSection> WriteSection for Option<T> {
    fn write_section(&self, writer: &mut ReplyWriter, index: usize) {
        if let Some(value) = self {
            value.write_section(writer, index);
        }
    }
}

impl<T: WriteSection> WriteSection for Vec<T> {
    fn write_section(&self, writer: &mut ReplyWriter, index: usize) {
        for value in self {
            value.write_section(writer, index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SectionText;

    fn title(heading: &str) -> String {
        SectionText { heading: heading.into(), body: String::new() }.title().to_owned()
    }

    #[test]
    fn the_title_is_the_heading_without_its_markdown() {
        assert_eq!(title("## Summary"), "Summary");
        assert_eq!(title("### Task 2: Wire DB"), "Task 2: Wire DB");
        assert_eq!(title("## Summary ##"), "Summary");
        assert_eq!(title("**VERDICT: PASS**"), "VERDICT: PASS");
        assert_eq!(title("- **Goal:** ship it"), "**Goal:** ship it");
        assert_eq!(title("> ## Quoted"), "Quoted");
        assert_eq!(title("## C#"), "C#");
        assert_eq!(title("#hashtag"), "#hashtag");
        assert_eq!(title("Plain"), "Plain");
    }
}
