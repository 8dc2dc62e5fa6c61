//! What reply parsing gives back: section texts, typed values and errors.
//!
//! - [`section`]: [`SectionText`] and [`Captured`], and how each is built from an occurrence;
//! - [`shared`]: [`ReplyStr`], the pieces of the one copy of a reply that section texts are;
//! - this module: [`ReplySections`], the occurrences the scanner found, by section;
//! - [`error`]: [`ReplyProblem`] and [`ReplyError`];
//! - [`writer`]: an `Output` written back to markdown.

mod error;
mod section;
mod shared;
mod writer;

use crate::pattern::SectionPattern;

pub use error::{ReplyError, ReplyProblem};
pub use section::{Captured, FromOccurrence, SectionText};
pub use shared::ReplyStr;
pub use writer::{ReplyWriter, WriteSection};

/// One occurrence of a section found by the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub(crate) text: SectionText,
    pub(crate) label: Option<String>,
}

/// The sections found in one reply, in the order of the agent's `Section::ALL`; what
/// [`AgentOutput::from_reply`](crate::AgentOutput::from_reply) reads from.
#[derive(Debug, PartialEq, Eq)]
pub struct ReplySections<'a> {
    patterns: &'a [SectionPattern<'a>],
    found: Vec<Vec<Occurrence>>,
    problems: Vec<ReplyProblem>,
    /// Occurrences of every section.
    total: usize,
}

impl<'a> ReplySections<'a> {
    pub(crate) fn new(patterns: &'a [SectionPattern<'a>]) -> Self {
        Self { patterns, found: vec![Vec::new(); patterns.len()], problems: Vec::new(), total: 0 }
    }

    pub(crate) fn push(&mut self, index: usize, occurrence: Occurrence) {
        self.found[index].push(occurrence);
        self.total += 1;
    }

    /// Occurrences of every section so far.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// Records that the section at `index` would have started one more occurrence than
    /// `limit` allows (once per reply).
    pub(crate) fn too_many(&mut self, index: usize, limit: usize) {
        if !self.problems.iter().any(|p| matches!(p, ReplyProblem::TooManyOccurrences { .. })) {
            let section = self.name(index).to_owned();
            self.problems.push(ReplyProblem::TooManyOccurrences { section, limit });
        }
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
                        section: pattern.name.to_owned(),
                        found: label.to_owned(),
                        expected: labels.iter().map(|l| (*l).to_owned()).collect(),
                    }),
                }
            }
        }
    }

    /// The patterns of the sections, in the agent's order.
    pub(crate) fn patterns(&self) -> &'a [SectionPattern<'a>] {
        self.patterns
    }

    /// The values found outside their labels (see [`check_labels`](Self::check_labels)).
    pub(crate) fn value_problems(&self) -> &[ReplyProblem] {
        &self.problems
    }

    /// The names of the sections that occur, in the agent's order.
    pub(crate) fn found_names(&self) -> Vec<String> {
        self.patterns
            .iter()
            .enumerate()
            .filter(|(i, _)| self.count(*i) > 0)
            .map(|(_, p)| p.name.to_owned())
            .collect()
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
    pub(crate) fn required<T: FromOccurrence>(&mut self, index: usize) -> Result<T, ReplyError> {
        match self.optional(index)? {
            Some(value) => Ok(value),
            None => Err(ReplyError::new(vec![ReplyProblem::MissingSection {
                section: self.name(index).to_owned(),
                pattern: self.patterns.get(index).map_or("", |p| p.pattern).to_owned(),
                context: None,
            }])),
        }
    }

    /// Takes the first occurrence of a section, if any.
    pub(crate) fn optional<T: FromOccurrence>(&mut self, index: usize) -> Result<Option<T>, ReplyError> {
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
    pub(crate) fn repeated<T: FromOccurrence>(&mut self, index: usize) -> Result<Vec<T>, ReplyError> {
        let name = self.name(index);
        let Some(found) = self.found.get_mut(index) else { return Ok(Vec::new()) };
        std::mem::take(found)
            .into_iter()
            .map(|o| T::from_occurrence(name, o.text, o.label.as_deref()))
            .collect::<Result<_, _>>()
            .map_err(|problem| ReplyError::new(vec![problem]))
    }

    /// The occurrences of the section at `index`, with their labels, in reply order.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn occurrences(&self, index: usize) -> &[Occurrence] {
        self.found.get(index).map_or(&[], Vec::as_slice)
    }

    fn name(&self, index: usize) -> &'a str {
        self.patterns.get(index).map_or("?", |p| p.name)
    }
}
