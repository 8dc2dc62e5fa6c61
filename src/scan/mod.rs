//! The reply scanner: finds section lines by their patterns, outside fenced code blocks.

use std::collections::VecDeque;
use std::ops::Range;

use regex_lite::Regex;

use crate::pattern::{self, SectionPattern};

use crate::reply::{ReplyError, ReplyProblem, ReplySections, ReplyStr, SectionText};

mod fence;
mod open;

use fence::Fence;
use open::{trim_line_ending, OpenSection};

/// Replies larger than this (64 MiB) are refused with [`ReplyProblem::TooLarge`] before any
/// scanning: parsing time and memory stay bounded.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

/// The most heap a section pattern may take once compiled (16 KiB): matching costs the
/// line's length times this size. Agent files with bigger patterns do not compile.
pub const MAX_PATTERN_SIZE: usize = agentbind_vocab::PATTERN_SIZE_LIMIT;

/// The most section occurrences one reply may have (10,000): each is a [`SectionText`] (and a
/// copy of its text when streamed) and, streamed, two events, so a reply of 60 MB of
/// `### Task 1:` lines would otherwise make five million of them. Past it, matching lines are content of the last occurrence and the reply
/// has [`ReplyProblem::TooManyOccurrences`].
pub const MAX_OCCURRENCES: usize = 10_000;

/// The compiled patterns of one agent. Built once per agent type (see
/// [`SectionKind::matcher`](crate::SectionKind::matcher)).
#[derive(Debug)]
pub struct SectionMatcher<'a> {
    patterns: Patterns<'a>,
    compiled: Result<Compiled, (usize, String)>,
}

/// The patterns of a matcher: generated code's static table, or a loaded agent's own (an enum
/// rather than a `Cow`, which would make the matcher invariant in `'a`).
#[derive(Debug)]
enum Patterns<'a> {
    Borrowed(&'a [SectionPattern<'a>]),
    Owned(Vec<SectionPattern<'a>>),
}

impl<'a> std::ops::Deref for Patterns<'a> {
    type Target = [SectionPattern<'a>];
    fn deref(&self) -> &[SectionPattern<'a>] {
        match self {
            Patterns::Borrowed(patterns) => patterns,
            Patterns::Owned(patterns) => patterns,
        }
    }
}

#[derive(Debug)]
struct Compiled {
    matchers: Vec<LineMatcher>,
    /// The bytes a line can start with to match any pattern, when every pattern starts with a
    /// literal (`^## `, `^\*\*`): other lines are not tried. `None`: every line is tried.
    first_bytes: Option<[bool; 256]>,
}

impl Compiled {
    /// Whether `line` can start a section (a cheap test: a line that passes is then tried).
    fn may_match(&self, line: &str) -> bool {
        match (&self.first_bytes, line.as_bytes().first()) {
            (Some(table), Some(&first)) => table[usize::from(first)],
            (Some(_), None) => false,
            (None, _) => true,
        }
    }
}

/// How one pattern is matched against a line: a pattern that is a literal after `^`
/// (`^## Summary`, most of them) by comparing text, others by a regex-lite `Regex`.
#[derive(Debug)]
pub(crate) enum LineMatcher {
    /// The line starts with `text` (is `text`, when `whole_line`).
    Prefix { text: String, whole_line: bool },
    /// A regular expression.
    Regex(Regex),
}

impl LineMatcher {
    pub(crate) fn new(pattern: &str) -> Result<Self, String> {
        match pattern::literal(pattern) {
            Some(literal) if literal.start_anchored => {
                Ok(LineMatcher::Prefix { text: literal.text, whole_line: literal.end_anchored })
            }
            _ => regex_lite::RegexBuilder::new(pattern)
                .size_limit(MAX_PATTERN_SIZE)
                .build()
                .map(LineMatcher::Regex)
                .map_err(|e| e.to_string()),
        }
    }

    pub(crate) fn is_match(&self, line: &str) -> bool {
        match self {
            LineMatcher::Prefix { text, whole_line: false } => line.starts_with(text.as_str()),
            LineMatcher::Prefix { text, whole_line: true } => line == text,
            LineMatcher::Regex(regex) => regex.is_match(line),
        }
    }

    /// Where the match in `line` ends, and the range of capture group 1, if any.
    fn captures(&self, line: &str) -> Option<(usize, Option<Range<usize>>)> {
        match self {
            LineMatcher::Prefix { text, .. } => self.is_match(line).then_some((text.len(), None)),
            LineMatcher::Regex(regex) => {
                let caps = regex.captures(line)?;
                Some((caps.get(0).map_or(0, |m| m.end()), caps.get(1).map(|m| m.range())))
            }
        }
    }
}

impl<'a> SectionMatcher<'a> {
    /// Compiles `patterns`. The patterns were validated at compile time; should one still fail
    /// to compile, every scan reports it as [`ReplyProblem::InvalidPattern`].
    pub fn new(patterns: &'a [SectionPattern<'a>]) -> Self {
        let compiled = compile(patterns);
        Self { patterns: Patterns::Borrowed(patterns), compiled }
    }

    /// Compiles `patterns`, which the matcher keeps: for agents loaded at run time, whose
    /// patterns are built from the file's text.
    pub fn from_vec(patterns: Vec<SectionPattern<'a>>) -> Self {
        let compiled = compile(&patterns);
        Self { patterns: Patterns::Owned(patterns), compiled }
    }

    /// The part of `heading` after the match of section `index`'s pattern: the text that the
    /// scanner puts at the start of the section's body.
    pub fn rest_of_heading<'h>(&self, index: usize, heading: &'h str) -> &'h str {
        let matcher = self.compiled.as_ref().ok().and_then(|c| c.matchers.get(index));
        match matcher.and_then(|m| m.captures(heading)) {
            Some((end, _)) => &heading[end..],
            None => "",
        }
    }

    /// The patterns this matcher was built from.
    pub fn patterns(&self) -> &[SectionPattern<'a>] {
        &self.patterns
    }

    /// Splits `reply` into sections.
    ///
    /// A line starts a section when it matches the section's pattern (line-anchored, line
    /// endings `\n` or `\r\n`) and is not inside a fenced code block (```` ``` ```` or `~~~`).
    /// A section's text runs to the next line that starts a section. A leading byte-order mark
    /// is ignored. Time is linear in the reply's length.
    ///
    /// The section texts are [`ReplyStr`]s of one copy of the reply: a `String` (or a
    /// [`ReplyStr`]) is kept as it is, a `&str` copied once (after the size check).
    pub fn scan<R: AsRef<str> + Into<ReplyStr>>(&self, reply: R) -> Result<ReplySections<'_>, ReplyError> {
        self.scan_shared(checked(reply)?)
    }

    /// [`scan`](Self::scan) of a reply already checked for its size.
    pub(crate) fn scan_shared(&self, reply: ReplyStr) -> Result<ReplySections<'_>, ReplyError> {
        let compiled = self.compiled()?;
        let reply = without_bom(&reply);
        let text = reply.as_str();
        let mut lines = LineScanner::new(&self.patterns, Some(reply.clone()));
        let mut line_start = 0;
        for newline in memchr::memchr_iter(b'\n', text.as_bytes()) {
            lines.line(compiled, text, line_start, newline + 1);
            line_start = newline + 1;
        }
        if line_start < text.len() {
            lines.line(compiled, text, line_start, text.len());
        }
        lines.end(text);
        Ok(lines.into_sections())
    }

    /// An incremental scan: feed the reply in chunks as it arrives and read the sections as
    /// they start and end. It finds exactly what [`scan`](Self::scan) finds in the whole text.
    pub fn incremental(&self) -> IncrementalScan<'_> {
        IncrementalScan {
            matcher: self,
            text: String::new(),
            skip: None,
            scanned: 0,
            lines: LineScanner::new(&self.patterns, None),
            events: VecDeque::new(),
            ended: false,
        }
    }

    fn compiled(&self) -> Result<&Compiled, ReplyError> {
        self.compiled.as_ref().map_err(|(index, error)| {
            ReplyError::new(vec![ReplyProblem::InvalidPattern {
                section: self.patterns[*index].name.to_owned(),
                error: error.clone(),
            }])
        })
    }
}

fn check_size(len: usize) -> Result<(), ReplyError> {
    if len > MAX_REPLY_BYTES {
        return Err(ReplyError::new(vec![ReplyProblem::TooLarge { len, limit: MAX_REPLY_BYTES }]));
    }
    Ok(())
}

/// `reply` as the [`ReplyStr`] that parsing keeps, unless it is over [`MAX_REPLY_BYTES`]
/// (then nothing is copied).
pub(crate) fn checked<R: AsRef<str> + Into<ReplyStr>>(reply: R) -> Result<ReplyStr, ReplyError> {
    check_size(reply.as_ref().len())?;
    Ok(reply.into())
}

/// `reply` without a leading byte-order mark.
pub(crate) fn without_bom(reply: &ReplyStr) -> ReplyStr {
    match reply.strip_prefix('\u{feff}') {
        Some(rest) => reply.slice(reply.len() - rest.len()..reply.len()),
        None => reply.clone(),
    }
}

/// What one line did to the scan.
#[derive(Clone, Copy, Default)]
struct LineStep {
    /// The section that the line ended (the one open before it), when the line starts another.
    ended: Option<usize>,
    /// The section that the line starts.
    started: Option<usize>,
}

/// The state of a scan between two lines; both the one-pass scan and [`IncrementalScan`] feed
/// it line by line, so they cannot disagree.
#[derive(Debug)]
struct LineScanner<'a> {
    patterns: &'a [SectionPattern<'a>],
    sections: ReplySections<'a>,
    open: Option<OpenSection>,
    fence: Option<Fence>,
    /// The reply the scanned text is, when it is whole: section texts are ranges of it.
    /// Without it (an incremental scan, whose text still grows), each is a copy.
    shared: Option<ReplyStr>,
}

impl<'a> LineScanner<'a> {
    fn new(patterns: &'a [SectionPattern<'a>], shared: Option<ReplyStr>) -> Self {
        Self { patterns, sections: ReplySections::new(patterns), open: None, fence: None, shared }
    }

    /// Reads the line `text[start..end]` (with its line ending, if any).
    fn line(&mut self, compiled: &Compiled, text: &str, start: usize, end: usize) -> LineStep {
        let line = trim_line_ending(&text[start..end]);
        if let Some(current) = self.fence {
            if current.is_closed_by(line) {
                self.fence = None;
            }
            return LineStep::default();
        }
        if let Some(opened) = Fence::opened_by(line) {
            self.fence = Some(opened);
            return LineStep::default();
        }
        if !compiled.may_match(line) {
            return LineStep::default();
        }
        // A section that occurs once starts at its first matching line only.
        let open = self.open.as_ref().map(|o| o.index);
        let sections = &self.sections;
        let already_started = |index: usize| sections.count(index) > 0 || open == Some(index);
        let started = (0..self.patterns.len()).find(|&index| {
            (self.patterns[index].repeated || !already_started(index))
                && compiled.matchers[index].is_match(line)
        });
        let Some(index) = started else { return LineStep::default() };
        if self.sections.total() + usize::from(self.open.is_some()) >= MAX_OCCURRENCES {
            self.sections.too_many(index, MAX_OCCURRENCES);
            return LineStep::default();
        }
        let ended = self.close(text, start);
        self.open = Some(OpenSection::start(index, line, start, &compiled.matchers[index], end));
        LineStep { ended, started: Some(index) }
    }

    /// Ends the open section, if any, at byte `end` of `text`; gives its index.
    fn close(&mut self, text: &str, end: usize) -> Option<usize> {
        let previous = self.open.take()?;
        let index = previous.index;
        self.sections.push(index, previous.finish(text, end, self.shared.as_ref()));
        Some(index)
    }

    /// Ends the scan of `text`: the open section runs to its end.
    fn end(&mut self, text: &str) -> Option<usize> {
        self.close(text, text.len())
    }

    fn into_sections(mut self) -> ReplySections<'a> {
        self.sections.check_labels();
        self.sections
    }
}

/// What an [`IncrementalScan`] reports while a reply arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanEvent {
    /// A line started the section at `index` (in the agent's `Section::ALL`).
    Started {
        /// The section's index.
        index: usize,
        /// The heading line.
        heading: String,
    },
    /// The section at `index` ended (the next one started, or the reply ended); `text` is
    /// what [`SectionMatcher::scan`] gives for this occurrence.
    Completed {
        /// The section's index.
        index: usize,
        /// The occurrence's text.
        text: SectionText,
    },
}

/// A scan fed in chunks (see [`SectionMatcher::incremental`]). Only whole lines are scanned:
/// a section starts once its heading line's end has arrived, and completes when the next
/// section starts or [`finish`](Self::finish) is called.
#[derive(Debug)]
pub struct IncrementalScan<'a> {
    matcher: &'a SectionMatcher<'a>,
    text: String,
    /// Bytes of a leading byte-order mark, once the first character has arrived.
    skip: Option<usize>,
    /// Bytes of `text` (after `skip`) that were scanned: every whole line so far.
    scanned: usize,
    lines: LineScanner<'a>,
    events: VecDeque<ScanEvent>,
    ended: bool,
}

impl<'a> IncrementalScan<'a> {
    /// Appends `chunk` to the reply and scans every line it completes. Fails when the reply
    /// grows over [`MAX_REPLY_BYTES`] or a pattern does not compile; the scan then stays
    /// failed.
    #[inline]
    pub fn push(&mut self, chunk: &str) -> Result<(), ReplyError> {
        // Most chunks of a streamed reply (a token or a few) end no line: they are only kept.
        // This path is inlined into the caller; the rest is not.
        let fits = self.text.len().saturating_add(chunk.len()) <= MAX_REPLY_BYTES;
        if fits && self.skip.is_some() && !chunk.as_bytes().contains(&b'\n') {
            self.text.push_str(chunk);
            return Ok(());
        }
        self.push_lines(chunk)
    }

    /// [`push`](Self::push) of a chunk that may end lines.
    fn push_lines(&mut self, chunk: &str) -> Result<(), ReplyError> {
        check_size(self.text.len().saturating_add(chunk.len()))?;
        self.text.push_str(chunk);
        if self.skip.is_none() && !self.text.is_empty() {
            self.skip = Some(if self.text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 });
        }
        let skip = self.skip.unwrap_or(0);
        // Line ends are looked for in the new chunk only, which starts at byte `base` of the
        // whole text (before the byte-order mark is skipped; no line end is inside it).
        let base = self.text.len() - chunk.len();
        let mut newlines = memchr::memchr_iter(b'\n', chunk.as_bytes()).peekable();
        if newlines.peek().is_none() {
            return Ok(());
        }
        let compiled = self.matcher.compiled()?;
        let text = &self.text[skip..];
        for newline in newlines {
            let end = base + newline + 1 - skip;
            let step = self.lines.line(compiled, text, self.scanned, end);
            self.scanned = end;
            queue_events(&mut self.events, &self.lines, text, step);
        }
        Ok(())
    }

    /// Scans the last line (one without a line ending) and ends the open section: after
    /// this, every section has been reported. Gives the sections, as [`SectionMatcher::scan`]
    /// would for the whole reply.
    pub fn finish(&mut self) -> Result<ReplySections<'a>, ReplyError> {
        let compiled = self.matcher.compiled()?;
        if self.ended {
            return Ok(ReplySections::new(&self.matcher.patterns));
        }
        self.ended = true;
        let skip = self.skip.unwrap_or(0);
        let text = &self.text[skip..];
        if self.scanned < text.len() {
            let step = self.lines.line(compiled, text, self.scanned, text.len());
            self.scanned = text.len();
            queue_events(&mut self.events, &self.lines, text, step);
        }
        let ended = self.lines.end(text);
        queue_events(&mut self.events, &self.lines, text, LineStep { ended, started: None });
        let lines = std::mem::replace(&mut self.lines, LineScanner::new(&self.matcher.patterns, None));
        Ok(lines.into_sections())
    }

    /// The next event, oldest first.
    #[inline]
    pub fn next_event(&mut self) -> Option<ScanEvent> {
        self.events.pop_front()
    }

    /// The reply received so far, without a leading byte-order mark.
    pub fn text(&self) -> &str {
        &self.text[self.skip.unwrap_or(0)..]
    }

    /// Takes the reply received so far (without a leading byte-order mark) out of the scan.
    pub fn into_text(mut self) -> String {
        let skip = self.skip.unwrap_or(0);
        self.text.replace_range(..skip, "");
        self.text
    }
}

fn queue_events(events: &mut VecDeque<ScanEvent>, lines: &LineScanner, text: &str, step: LineStep) {
    if let Some(index) = step.ended {
        if let Some(done) = lines.sections.last(index) {
            events.push_back(ScanEvent::Completed { index, text: done.text.clone() });
        }
    }
    if let Some(index) = step.started {
        if let Some(open) = &lines.open {
            events.push_back(ScanEvent::Started { index, heading: text[open.heading.clone()].to_owned() });
        }
    }
}

fn compile(patterns: &[SectionPattern]) -> Result<Compiled, (usize, String)> {
    let matchers = patterns
        .iter()
        .enumerate()
        .map(|(index, p)| LineMatcher::new(p.scan).map_err(|e| (index, e)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Compiled { matchers, first_bytes: first_bytes(patterns) })
}

/// The possible first bytes of a matching line, or `None` when some pattern can match a
/// line whatever its first byte is (then no line is skipped).
fn first_bytes(patterns: &[SectionPattern]) -> Option<[bool; 256]> {
    let mut table = [false; 256];
    for pattern in patterns {
        table[usize::from(pattern::first_byte(pattern.scan)?)] = true;
    }
    Some(table)
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
        // A group first: the prefilter is left out rather than worked out.
        assert!(first_bytes(&[SectionPattern::once("A", "^(?:x|)B")]).is_none());
    }

    /// Section patterns of the Ring corpus and the fixtures, the widened form of value
    /// sections, and a few more shapes.
    const PATTERNS: &[&str] = &[
        "^## Summary",
        "^## ARCHITECTURE INSIGHTS$",
        "^## OUTPUT: (GOOD|BAD)$",
        "^## VERDICT: (PASS|FAIL|NEEDS_DISCUSSION)$",
        r"^## VERDICT: (.*?)\s*$",
        "^### (Critical|High|Medium|Low)",
        r"^### Task \d+:",
        r"^\*\*Goal:\*\*",
        r"^\*\*Tech Stack:\*\*",
        "NOTE:",
        "(?i)^## summary",
        "^#{2,3} Notes",
        "^## [^#]+",
        r"^## Price \$",
        "^$",
    ];

    proptest::proptest! {
        #[test]
        fn matchers_agree_with_the_regex_crate(
            line in proptest::prop_oneof![
                "(#{0,4} ?|\\*\\*)(Summary|summary|VERDICT: |OUTPUT: |Task |Goal:\\*\\*|Notes|Price \\$|Critical)[A-Za-z0-9 :$*#]{0,12}",
                "(## VERDICT: )(PASS|FAIL|MAYBE|NEEDS_DISCUSSION)( |\t)?",
                "\\PC{0,20}",
            ]
        ) {
            for pattern in PATTERNS {
                let ours = LineMatcher::new(pattern).unwrap();
                let regex = regex::Regex::new(pattern).unwrap();
                proptest::prop_assert_eq!(ours.is_match(&line), regex.is_match(&line), "{} on {:?}", pattern, line);
                let expected = regex.captures(&line).map(|c| (c.get(0).unwrap().end(), c.get(1).map(|m| m.range())));
                proptest::prop_assert_eq!(ours.captures(&line), expected, "{} on {:?}", pattern, line);
                if let Some(byte) = pattern::first_byte(pattern) {
                    proptest::prop_assert!(!regex.is_match(&line) || line.as_bytes().first() == Some(&byte));
                }
            }
        }
    }

    #[test]
    fn occurrences_past_the_limit_are_content_and_a_problem() {
        static PATTERNS: &[SectionPattern] = &[SectionPattern::repeated("Task", r"^### Task \d+:")];
        let matcher = SectionMatcher::new(PATTERNS);
        let reply: String =
            (0..MAX_OCCURRENCES + 5_000).map(|i| format!("### Task {i}: do it\nbody\n")).collect();
        let sections = matcher.scan(&reply).unwrap();
        assert_eq!(sections.count(0), MAX_OCCURRENCES);
        assert_eq!(
            sections.value_problems(),
            [ReplyProblem::TooManyOccurrences { section: "Task".into(), limit: MAX_OCCURRENCES }]
        );
        // The last occurrence holds the rest of the reply.
        assert!(sections.texts(0).last().unwrap().body.ends_with("### Task 14999: do it\nbody"));
        // Streamed: the same, and no event past the limit.
        let mut scan = matcher.incremental();
        let mut events = 0;
        for chunk in reply.as_bytes().chunks(4096) {
            scan.push(std::str::from_utf8(chunk).unwrap_or_default()).unwrap();
            while scan.next_event().is_some() {
                events += 1;
            }
        }
        let streamed = scan.finish().unwrap();
        while scan.next_event().is_some() {
            events += 1;
        }
        assert_eq!(streamed, sections);
        assert_eq!(events, 2 * MAX_OCCURRENCES);
    }

    #[test]
    fn bodies_are_ranges_of_the_reply_unless_they_are_not_one_run_of_it() {
        static PATTERNS: &[SectionPattern] = &[SectionPattern::repeated("Goal", r"^\*\*Goal:\*\*")];
        let matcher = SectionMatcher::new(PATTERNS);
        let reply = String::from(
            "**Goal:** ship it\n\nmore\n**Goal:** one\ntwo\n**Goal:**  spaced \nnext\n**Goal:** alone\n",
        );
        let bytes = reply.as_ptr() as usize..reply.as_ptr() as usize + reply.len();
        let sections = matcher.scan(reply).unwrap();
        let texts: Vec<&SectionText> = sections.texts(0).collect();
        let bodies: Vec<&str> = texts.iter().map(|t| t.body.as_str()).collect();
        assert_eq!(bodies, ["ship it\nmore", "one\ntwo", "spaced\nnext", "alone"]);
        let shared = |text: &str| bytes.contains(&(text.as_ptr() as usize));
        // A blank line, or white space after the heading's rest, between the two parts: built.
        assert_eq!(texts.iter().map(|t| shared(&t.body)).collect::<Vec<_>>(), [false, true, false, true]);
        assert!(texts.iter().all(|t| shared(&t.heading)));
    }

    #[test]
    fn unanchored_patterns_still_match_mid_line() {
        static PATTERNS: &[SectionPattern] = &[SectionPattern::once("Note", "NOTE:")];
        let matcher = SectionMatcher::new(PATTERNS);
        let sections = matcher.scan("text\nsee NOTE: here\nmore\n").unwrap();
        assert_eq!(sections.texts(0).map(|t| t.heading.as_str()).collect::<Vec<_>>(), ["see NOTE: here"]);
    }
}
