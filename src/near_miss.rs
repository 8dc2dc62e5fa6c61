//! Near misses: lines of a reply that were meant to start a section but do not match its
//! pattern (`## Task 1` for `^### Task \d+:`, `**Summary**` for `^## Summary`, a heading one
//! level off, a missing or extra trailing colon, another case). Repair feedback names them
//! with the heading to write instead ([`ReplyError::feedback`](crate::ReplyError::feedback)),
//! and the opt-in tolerant reading rewrites them to that heading, saying so
//! ([`Dispatch::parse_reply_tolerant`](crate::Dispatch::parse_reply_tolerant)).

use crate::pattern::{example_heading, literal, SectionPattern};
use crate::reply::{ReplyError, ReplyProblem};
use crate::scan::LineMatcher;

/// Lines of a reply looked at for near misses: at most this many, each at most
/// [`MAX_LINE_CHARS`] bytes long, so that the search stays cheap on any reply.
const MAX_LINES: usize = 20_000;
const MAX_LINE_CHARS: usize = 300;

/// A heading line that the tolerant reading rewrote so that it starts its section.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Normalization {
    /// The section the line now starts.
    pub section: String,
    /// The line's number in the reply (1-based).
    pub line: usize,
    /// The line as the model wrote it.
    pub found: String,
    /// The line as it was read.
    pub heading: String,
}

/// A line that nearly starts a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NearMiss {
    /// 0-based line index.
    pub(crate) index: usize,
    /// The line as written.
    pub(crate) found: String,
    /// The same line rewritten so that it matches the pattern, when a small change does it.
    pub(crate) fixed: Option<String>,
}

/// The lines of `reply` outside code fences that nearly start section `name` of `pattern`:
/// heading-like lines (starting with `#`, `**` or `__`) or lines that start with the
/// section's name, that do not match `pattern` and do not match any of `others`. `limit`
/// bounds how many are given.
pub(crate) fn near_misses(
    reply: &str,
    name: &str,
    pattern: &str,
    others: &[LineMatcher],
    limit: usize,
) -> Vec<NearMiss> {
    let Ok(matcher) = LineMatcher::new(pattern) else { return Vec::new() };
    let example = example_heading(pattern);
    let hashes = example.bytes().take_while(|&b| b == b'#').count();
    let bold = example.starts_with("**");
    let literal = literal(pattern).map(|l| l.text);
    let name_key = name.to_lowercase();
    let mut fence = false;
    let mut found = Vec::new();
    for (index, line) in reply.lines().enumerate().take(MAX_LINES) {
        let line = line.trim_end();
        if line.starts_with("```") || line.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        if fence || line.len() > MAX_LINE_CHARS || line.is_empty() || matcher.is_match(line) {
            continue;
        }
        let core = core_of(line);
        let heading_like = line.starts_with('#') || line.starts_with("**") || line.starts_with("__");
        let names_section = core.to_lowercase().starts_with(&name_key);
        if !heading_like && !names_section {
            continue;
        }
        if others.iter().any(|other| other.is_match(line)) {
            continue;
        }
        let fixed =
            variants(core, hashes, bold, literal.as_deref()).into_iter().find(|v| matcher.is_match(v));
        if fixed.is_some() || names_section {
            found.push(NearMiss { index, found: line.to_owned(), fixed });
            if found.len() == limit {
                break;
            }
        }
    }
    found
}

/// The text of a heading-like line without its heading marks, emphasis and outer spaces.
fn core_of(line: &str) -> &str {
    let mut core = line.trim_start_matches('#').trim();
    for mark in ["**", "__"] {
        if let Some(inner) = core.strip_prefix(mark) {
            core = match inner.strip_suffix(mark) {
                Some(inner) => inner,
                None => inner.split_once(mark).map_or(inner, |(head, _)| head),
            };
        }
    }
    core.trim()
}

/// Small rewrites of a line whose text is `core`, for a section whose example heading starts
/// with `hashes` `#` (or is bold): that heading level, with and without a trailing colon, and
/// in the case of a literal pattern's text.
fn variants(core: &str, hashes: usize, bold: bool, literal: Option<&str>) -> Vec<String> {
    let plain = core.strip_suffix(':').unwrap_or(core).trim_end();
    let texts = [core.to_owned(), plain.to_owned(), format!("{plain}:")];
    let mut out = Vec::new();
    for text in &texts {
        if bold {
            out.push(format!("**{text}**"));
            if let Some((head, rest)) = text.split_once(':') {
                out.push(format!("**{head}:**{rest}"));
            }
        } else if hashes > 0 {
            out.push(format!("{} {text}", "#".repeat(hashes)));
        } else {
            out.push(text.clone());
        }
    }
    if let Some(literal) = literal {
        let recased: Vec<String> = out
            .iter()
            .filter_map(|v| {
                let head = v.get(..literal.len())?;
                (head.eq_ignore_ascii_case(literal) && head != literal)
                    .then(|| format!("{literal}{}", &v[literal.len()..]))
            })
            .collect();
        out.extend(recased);
    }
    out
}

/// The tolerant reading: when `parse` refuses `reply` only for missing sections, each near
/// miss of a missing section that a small rewrite fixes is rewritten (every one, for a
/// repeated section; the first, for another), and the rewritten reply is parsed. Gives the
/// output and what was rewritten, or the first error when that does not make it acceptable.
pub(crate) fn parse_tolerant<T>(
    reply: &str,
    patterns: &[SectionPattern<'_>],
    parse: impl Fn(&str) -> Result<T, ReplyError>,
) -> Result<(T, Vec<Normalization>), ReplyError> {
    let error = match parse(reply) {
        Ok(output) => return Ok((output, Vec::new())),
        Err(error) => error,
    };
    let missing: Vec<&str> = error
        .problems()
        .iter()
        .filter_map(|p| match p {
            ReplyProblem::MissingSection { section, .. } => Some(section.as_str()),
            _ => None,
        })
        .collect();
    if missing.is_empty() || missing.len() != error.problems().len() {
        return Err(error);
    }
    let matchers: Vec<LineMatcher> = patterns.iter().filter_map(|p| LineMatcher::new(p.scan).ok()).collect();
    let mut rewrites: Vec<(usize, Normalization)> = Vec::new();
    for pattern in patterns.iter().filter(|p| missing.contains(&p.name)) {
        let limit = if pattern.repeated { MAX_LINES } else { 1 };
        for miss in near_misses(reply, pattern.name, pattern.pattern, &matchers, limit) {
            let Some(heading) = miss.fixed else { continue };
            if rewrites.iter().any(|(index, _)| *index == miss.index) {
                continue;
            }
            rewrites.push((
                miss.index,
                Normalization {
                    section: pattern.name.to_owned(),
                    line: miss.index + 1,
                    found: miss.found,
                    heading,
                },
            ));
        }
    }
    if rewrites.is_empty() {
        return Err(error);
    }
    let mut fixed = String::with_capacity(reply.len() + 16 * rewrites.len());
    for (index, line) in reply.split_inclusive('\n').enumerate() {
        match rewrites.iter().find(|(i, _)| *i == index) {
            Some((_, normalization)) => {
                fixed.push_str(&normalization.heading);
                let ending = &line[line.trim_end_matches(['\r', '\n']).len()..];
                fixed.push_str(ending);
            }
            None => fixed.push_str(line),
        }
    }
    match parse(&fixed) {
        Ok(output) => {
            let mut normalizations: Vec<Normalization> = rewrites.into_iter().map(|(_, n)| n).collect();
            normalizations.sort_by_key(|n| n.line);
            Ok((output, normalizations))
        }
        Err(_) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn misses(reply: &str, name: &str, pattern: &str) -> Vec<(String, Option<String>)> {
        near_misses(reply, name, pattern, &[], 10).into_iter().map(|m| (m.found, m.fixed)).collect()
    }

    #[test]
    fn near_misses_come_with_the_heading_to_write() {
        let reply = "## Task 1\nDo it.\n\n**Summary**\nDone.\n```\n## Task 2\n```\n### task 3: case\n";
        assert_eq!(
            misses(reply, "Task", r"^### Task \d+:"),
            vec![
                ("## Task 1".to_owned(), Some("### Task 1:".to_owned())),
                ("### task 3: case".to_owned(), None)
            ]
        );
        assert_eq!(
            misses(reply, "Summary", "^## Summary$"),
            vec![("**Summary**".to_owned(), Some("## Summary".to_owned()))]
        );
        assert_eq!(
            misses("# summary:\n", "Summary", "^## Summary"),
            vec![("# summary:".to_owned(), Some("## Summary:".to_owned()))]
        );
        assert_eq!(
            misses("Goal: ship it\n", "Goal", r"^\*\*Goal:\*\*"),
            vec![("Goal: ship it".to_owned(), Some("**Goal:** ship it".to_owned()))]
        );
        // Lines that are neither heading-like nor named after the section are not near misses.
        assert!(misses("We have a task here.\n## Overview\n", "Task", r"^### Task \d+:").is_empty());
    }

    #[test]
    fn lines_of_other_sections_are_not_near_misses() {
        let others = [LineMatcher::new("^## Summary of work").unwrap()];
        assert!(near_misses("## Summary of work\n", "Summary", "^## Summary$", &others, 10).is_empty());
    }
}
