//! A section being read: the byte ranges of its heading, label and body in the scanned text,
//! and the [`Occurrence`] it becomes once the next section starts.

use std::ops::Range;

use super::LineMatcher;
use crate::reply::{Occurrence, ReplyStr, SectionText};

/// `line` without its `\n` or `\r\n`.
pub(super) fn trim_line_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// A section whose heading line was found and whose body is still being read; byte ranges
/// of the scanned text.
#[derive(Debug)]
pub(super) struct OpenSection {
    pub(super) index: usize,
    pub(super) heading: Range<usize>,
    rest_of_heading: Range<usize>,
    label: Option<Range<usize>>,
    body_start: usize,
}

impl OpenSection {
    /// The section at `index` starts at `line`, which begins at byte `line_start`; its body
    /// at `body_start`.
    pub(super) fn start(
        index: usize,
        line: &str,
        line_start: usize,
        matcher: &LineMatcher,
        body_start: usize,
    ) -> Self {
        let at = |range: Range<usize>| line_start + range.start..line_start + range.end;
        let line_end = line_start + line.len();
        let (rest_of_heading, label) = match matcher.captures(line) {
            Some((whole, group)) => (line_start + whole..line_end, group.map(at)),
            None => (line_end..line_end, None),
        };
        Self { index, heading: line_start..line_end, rest_of_heading, label, body_start }
    }

    /// Ends the section where the next one starts (`end`, a byte offset into `text`).
    ///
    /// The body is the rest of the heading line (trimmed), then the lines up to `end` without
    /// the blank lines around them, with `\r\n` made `\n`. With `shared`, the reply that
    /// `text` is, the heading and (almost always) the body are ranges of it, not copies: only
    /// a body that is not one run of the reply (`\r\n` line ends, white space after the rest of
    /// the heading, blank lines between it and the next line) is built as a new string.
    pub(super) fn finish(self, text: &str, end: usize, shared: Option<&ReplyStr>) -> Occurrence {
        let piece = |range: Range<usize>| match shared {
            Some(reply) => reply.slice(range),
            None => ReplyStr::from(&text[range]),
        };
        let rest = trimmed(text, self.rest_of_heading.clone());
        let lines = self.body_start..end;
        let after_blank = text[lines.clone()].trim_start_matches(['\r', '\n']);
        let start = end - after_blank.len();
        let lines = start..start + after_blank.trim_end().len();
        let run = match (rest.is_empty(), lines.is_empty()) {
            (true, _) => Some(lines.clone()),
            (false, true) => Some(rest.clone()),
            (false, false) => {
                (text.get(rest.end..lines.start) == Some("\n")).then_some(rest.start..lines.end)
            }
        };
        let body = match run {
            Some(run) if !text[run.clone()].contains('\r') => piece(run),
            _ => {
                let mut out = String::new();
                if !rest.is_empty() {
                    out.push_str(&text[rest]);
                    out.push('\n');
                }
                out.push_str(&text[lines]);
                if out.contains('\r') {
                    out = out.replace("\r\n", "\n");
                }
                out.truncate(out.trim_end().len());
                ReplyStr::from(out)
            }
        };
        Occurrence {
            text: SectionText { heading: piece(self.heading), body },
            label: self.label.map(|label| text[label].to_owned()),
        }
    }
}

/// `range` of `text` without the white space at its ends.
fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let part = &text[range.clone()];
    let start = range.start + (part.len() - part.trim_start().len());
    start..start + part.trim().len()
}
