//! The reply scanner: finds section lines by their patterns, outside fenced code blocks.

use regex::{Regex, RegexSet};

use crate::reply::{Occurrence, ReplyError, ReplyProblem, ReplySections, SectionText};

/// Replies larger than this (64 MiB) are refused with [`ReplyProblem::TooLarge`] before any
/// scanning: parsing time and memory stay bounded.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

/// How one section is found in a reply. Generated code builds one per section with the
/// `const` constructors below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionPattern {
    /// The section's name.
    pub name: &'static str,
    /// The section's `pattern` as written in the agent file.
    pub pattern: &'static str,
    /// The regular expression a line must match to start the section: `pattern`, except for a
    /// value section (`labels` is `Some`), where it is `pattern` with its capture group widened
    /// to any text, so that a value outside the labels is reported instead of being missed.
    pub scan: &'static str,
    /// Whether every matching line starts a new occurrence. For other sections only the first
    /// matching line starts the section; later ones are ordinary content.
    pub repeated: bool,
    /// For a value section, the labels accepted in capture group 1.
    pub labels: Option<&'static [&'static str]>,
}

impl SectionPattern {
    /// A section that occurs once, found by `pattern`.
    pub const fn once(name: &'static str, pattern: &'static str) -> Self {
        SectionPattern { name, pattern, scan: pattern, repeated: false, labels: None }
    }

    /// A section of which every matching line starts a new occurrence.
    pub const fn repeated(name: &'static str, pattern: &'static str) -> Self {
        SectionPattern { repeated: true, ..SectionPattern::once(name, pattern) }
    }

    /// This section, with its value (capture group 1) one of `labels`; lines are found by
    /// `scan`, the declared pattern with its group widened to any text.
    pub const fn with_labels(self, scan: &'static str, labels: &'static [&'static str]) -> Self {
        SectionPattern { scan, labels: Some(labels), ..self }
    }
}

/// The compiled patterns of one agent. Built once per agent type (see
/// [`SectionKind::matcher`](crate::SectionKind::matcher)).
#[derive(Debug)]
pub struct SectionMatcher {
    patterns: &'static [SectionPattern],
    compiled: Result<Compiled, (usize, String)>,
}

#[derive(Debug)]
struct Compiled {
    set: RegexSet,
    regexes: Vec<Regex>,
    /// The bytes a line can start with to match any pattern, when every pattern starts with a
    /// literal (`^## `, `^\*\*`): other lines skip the regex set. `None`: every line is tried.
    first_bytes: Option<[bool; 256]>,
}

impl Compiled {
    /// Whether `line` can start a section.
    fn may_match(&self, line: &str) -> bool {
        match (&self.first_bytes, line.as_bytes().first()) {
            (Some(table), Some(&first)) => table[usize::from(first)] && self.set.is_match(line),
            (Some(_), None) => false,
            (None, _) => self.set.is_match(line),
        }
    }
}

impl SectionMatcher {
    /// Compiles `patterns`. The patterns were validated at compile time; should one still fail
    /// to compile, every scan reports it as [`ReplyProblem::InvalidPattern`].
    pub fn new(patterns: &'static [SectionPattern]) -> Self {
        let compiled = compile(patterns);
        Self { patterns, compiled }
    }

    /// The part of `heading` after the match of section `index`'s pattern: the text that the
    /// scanner puts at the start of the section's body.
    pub fn rest_of_heading<'h>(&self, index: usize, heading: &'h str) -> &'h str {
        let regex = self.compiled.as_ref().ok().and_then(|c| c.regexes.get(index));
        match regex.and_then(|r| r.find(heading)) {
            Some(found) => &heading[found.end()..],
            None => "",
        }
    }

    /// The patterns this matcher was built from.
    pub fn patterns(&self) -> &'static [SectionPattern] {
        self.patterns
    }

    /// Splits `reply` into sections.
    ///
    /// A line starts a section when it matches the section's pattern (line-anchored, line
    /// endings `\n` or `\r\n`) and is not inside a fenced code block (```` ``` ```` or `~~~`).
    /// A section's text runs to the next line that starts a section. A leading byte-order mark
    /// is ignored. Time is linear in the reply's length.
    pub fn scan(&self, reply: &str) -> Result<ReplySections, ReplyError> {
        if reply.len() > MAX_REPLY_BYTES {
            return Err(ReplyError::new(vec![ReplyProblem::TooLarge {
                len: reply.len(),
                limit: MAX_REPLY_BYTES,
            }]));
        }
        let compiled = match &self.compiled {
            Ok(compiled) => compiled,
            Err((index, error)) => {
                return Err(ReplyError::new(vec![ReplyProblem::InvalidPattern {
                    section: self.patterns[*index].name,
                    error: error.clone(),
                }]))
            }
        };
        let reply = reply.strip_prefix('\u{feff}').unwrap_or(reply);
        let mut sections = ReplySections::new(self.patterns);
        let mut open: Option<OpenSection<'_>> = None;
        let mut fence: Option<Fence> = None;
        let mut offset = 0;
        for raw_line in reply.split_inclusive('\n') {
            let line_start = offset;
            offset += raw_line.len();
            let line = trim_line_ending(raw_line);
            if let Some(current) = fence {
                if current.is_closed_by(line) {
                    fence = None;
                }
                continue;
            }
            if let Some(opened) = Fence::opened_by(line) {
                fence = Some(opened);
                continue;
            }
            if !compiled.may_match(line) {
                continue;
            }
            // A section that occurs once starts at its first matching line only.
            let already_started =
                |index: usize| sections.count(index) > 0 || open.as_ref().is_some_and(|o| o.index == index);
            let started = compiled
                .set
                .matches(line)
                .into_iter()
                .find(|&index| self.patterns[index].repeated || !already_started(index));
            let Some(index) = started else { continue };
            if let Some(previous) = open.take() {
                sections.push(previous.index, previous.finish(reply, line_start));
            }
            open = Some(OpenSection::start(index, line, &compiled.regexes[index], offset));
        }
        if let Some(previous) = open.take() {
            sections.push(previous.index, previous.finish(reply, reply.len()));
        }
        sections.check_labels();
        Ok(sections)
    }
}

fn compile(patterns: &[SectionPattern]) -> Result<Compiled, (usize, String)> {
    let regexes = patterns
        .iter()
        .enumerate()
        .map(|(index, p)| Regex::new(p.scan).map_err(|e| (index, e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let set = RegexSet::new(patterns.iter().map(|p| p.scan)).map_err(|e| (0, e.to_string()))?;
    Ok(Compiled { set, regexes, first_bytes: first_bytes(patterns) })
}

/// The possible first bytes of a matching line: the first bytes of every pattern's literal
/// prefixes, or `None` when some pattern can match without one (then no line is skipped).
fn first_bytes(patterns: &[SectionPattern]) -> Option<[bool; 256]> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut table = [false; 256];
    for pattern in patterns {
        let hir = regex_syntax::parse(pattern.scan).ok()?;
        if !hir.properties().look_set_prefix().contains(regex_syntax::hir::Look::Start)
            && !hir.properties().look_set_prefix().contains(regex_syntax::hir::Look::StartLF)
        {
            // Not anchored at the line start: it can match anywhere in a line.
            return None;
        }
        let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
        for literal in prefixes.literals()? {
            table[usize::from(*literal.as_bytes().first()?)] = true;
        }
    }
    Some(table)
}

fn trim_line_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// A section whose heading line was found and whose body is still being read.
struct OpenSection<'a> {
    index: usize,
    heading: &'a str,
    rest_of_heading: &'a str,
    label: Option<&'a str>,
    body_start: usize,
}

impl<'a> OpenSection<'a> {
    fn start(index: usize, line: &'a str, regex: &Regex, body_start: usize) -> Self {
        let (rest_of_heading, label) = match regex.captures(line) {
            Some(caps) => {
                let whole = caps.get(0).map_or(0, |m| m.end());
                (&line[whole..], caps.get(1).map(|m| m.as_str()))
            }
            None => ("", None),
        };
        Self { index, heading: line, rest_of_heading, label, body_start }
    }

    /// Ends the section where the next one starts (`end`, a byte offset into `reply`).
    fn finish(self, reply: &str, end: usize) -> Occurrence {
        let body = &reply[self.body_start..end];
        let mut text = String::new();
        let rest = self.rest_of_heading.trim();
        if !rest.is_empty() {
            text.push_str(rest);
            text.push('\n');
        }
        text.push_str(body.trim_start_matches(['\r', '\n']).trim_end());
        if text.contains('\r') {
            text = text.replace("\r\n", "\n");
        }
        text.truncate(text.trim_end().len());
        Occurrence {
            text: SectionText { heading: self.heading.to_owned(), body: text },
            label: self.label.map(str::to_owned),
        }
    }
}

/// An open fenced code block: its character and length (CommonMark rules).
#[derive(Clone, Copy)]
struct Fence {
    marker: u8,
    len: usize,
}

impl Fence {
    fn parse(line: &str) -> Option<(Fence, &str)> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 3 {
            return None;
        }
        let rest = &line[indent..];
        let marker = *rest.as_bytes().first()?;
        if marker != b'`' && marker != b'~' {
            return None;
        }
        let len = rest.len() - rest.trim_start_matches(marker as char).len();
        (len >= 3).then(|| (Fence { marker, len }, &rest[len..]))
    }

    fn opened_by(line: &str) -> Option<Fence> {
        let (fence, info) = Fence::parse(line)?;
        (fence.marker == b'~' || !info.contains('`')).then_some(fence)
    }

    fn is_closed_by(self, line: &str) -> bool {
        Fence::parse(line).is_some_and(|(closing, rest)| {
            closing.marker == self.marker && closing.len >= self.len && rest.trim().is_empty()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchored_literal_patterns_prefilter_on_their_first_bytes() {
        static PATTERNS: &[SectionPattern] =
            &[SectionPattern::once("A", "^## A"), SectionPattern::once("B", r"^\*\*B:\*\*")];
        let table = first_bytes(PATTERNS).unwrap();
        let allowed: Vec<u8> = (0..=255u8).filter(|&b| table[usize::from(b)]).collect();
        assert_eq!(allowed, b"#*");
    }

    #[test]
    fn unanchored_or_open_patterns_disable_the_prefilter() {
        assert!(first_bytes(&[SectionPattern::once("A", "## A")]).is_none());
        assert!(first_bytes(&[SectionPattern::once("A", "^.*A")]).is_none());
        // `^$` matches an empty line: no first byte to filter on.
        assert!(first_bytes(&[SectionPattern::once("A", "^## A"), SectionPattern::once("B", "^$")]).is_none());
        assert!(first_bytes(&[SectionPattern::once("A", "^(?:x|)B")]).is_some());
    }

    #[test]
    fn unanchored_patterns_still_match_mid_line() {
        static PATTERNS: &[SectionPattern] = &[SectionPattern::once("Note", "NOTE:")];
        let sections = SectionMatcher::new(PATTERNS).scan("text\nsee NOTE: here\nmore\n").unwrap();
        assert_eq!(sections.texts(0).map(|t| t.heading.as_str()).collect::<Vec<_>>(), ["see NOTE: here"]);
    }
}
