//! The texts a reply is parsed into: [`SectionText`], [`Captured`] values, and how each is
//! built from one occurrence of a section.

use std::fmt;

use super::{ReplyProblem, ReplyStr};
use crate::labeled::LabeledEnum;

/// The text of one section of a reply. Both parts are [`ReplyStr`]s: pieces of the one copy
/// of the reply that [`Dispatch::parse_reply`](crate::Dispatch::parse_reply) keeps (shared by
/// every section of the output), which deref to `&str`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SectionText {
    /// The whole line that matched the section's pattern (`## Summary`, `### Task 2: Wire DB`).
    pub heading: ReplyStr,
    /// The section's content: the rest of the heading line after the match (as in
    /// `**Goal:** text`), then every line up to the next section, with line endings normalised
    /// to `\n` and surrounding blank lines removed.
    pub body: ReplyStr,
}

impl SectionText {
    /// A section text of `heading` and `body` (a `&str` or `String` each, or a [`ReplyStr`]).
    pub fn new(heading: impl Into<ReplyStr>, body: impl Into<ReplyStr>) -> Self {
        Self { heading: heading.into(), body: body.into() }
    }

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
    fn from_occurrence(section: &str, text: SectionText, label: Option<&str>) -> Result<Self, ReplyProblem>;
}

impl FromOccurrence for SectionText {
    fn from_occurrence(
        _section: &str,
        text: SectionText,
        _label: Option<&str>,
    ) -> Result<Self, ReplyProblem> {
        Ok(text)
    }
}

impl<V: LabeledEnum> FromOccurrence for Captured<V> {
    fn from_occurrence(section: &str, text: SectionText, label: Option<&str>) -> Result<Self, ReplyProblem> {
        let found = label.unwrap_or_default();
        match crate::labeled::match_label(found, V::LABELS).and_then(V::from_label) {
            Some(value) => Ok(Captured { value, text }),
            None => Err(ReplyProblem::InvalidValue {
                section: section.to_owned(),
                found: found.to_owned(),
                expected: V::LABELS.iter().map(|l| (*l).to_owned()).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SectionText;

    fn title(heading: &str) -> String {
        SectionText::new(heading, "").title().to_owned()
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
