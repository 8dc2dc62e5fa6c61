//! Claude Code's lenient reading of a frontmatter that is not strict YAML.
//!
//! About 3% of real subagent files fail a strict YAML parser yet load in Claude Code, which then
//! reads the top-level `key: value` lines itself. When the strict parse fails with a syntax
//! error, agentbind does the same:
//!
//! - a line that starts at column 0 with `key:` (letters, digits, `_`, `-`) starts a top-level
//!   entry; its value is everything after the first `: `, as written: further `: `, a leading
//!   `**`, `<example>` tags and literal `\n` sequences are kept as text. A value wrapped in
//!   matching quotes loses them;
//! - a line at column 0 that is not `key:` continues the previous entry's text (joined with a
//!   space, a blank line with a line break, as YAML folds plain text);
//! - indented lines under an entry with no value on its own line (a `tools:` list, a nested
//!   mapping) are that entry's block, parsed as strict YAML; so are `|` and `>` block texts;
//! - a value that is a plain YAML scalar on its own (`maxTurns: 5`, `background: true`) keeps
//!   its YAML type.
//!
//! If a block still fails, or the first line is not `key:`, or a key repeats, the file is not
//! recovered and the strict parser's error is reported.

use crate::source::Pos;
use crate::yaml::{self, Node, Value};

/// One top-level entry being read.
struct Entry<'a> {
    key: &'a str,
    key_pos: Pos,
    value: &'a str,
    value_pos: Pos,
    /// Column-0 lines that continue the value text.
    continuation: Vec<&'a str>,
    /// Indented lines under the key (with the blank lines between them).
    block: Vec<&'a str>,
    /// The file line of the key.
    line: usize,
}

/// Reads `yaml` as Claude Code does when it is not strict YAML; `None` when that fails too.
pub(crate) fn recover(yaml: &str, first_line: usize) -> Option<Node> {
    let mut entries: Vec<Entry<'_>> = Vec::new();
    for (index, raw) in yaml.lines().enumerate() {
        let line_no = first_line + index;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some((key, value, value_column)) = top_level_key(line) {
            if entries.iter().any(|e| e.key == key) {
                return None;
            }
            entries.push(Entry {
                key,
                key_pos: Pos { line: line_no, column: 1 },
                value,
                value_pos: Pos { line: line_no, column: value_column },
                continuation: Vec::new(),
                block: Vec::new(),
                line: line_no,
            });
            continue;
        }
        let blank = line.trim().is_empty();
        if blank && entries.is_empty() || line.trim_start().starts_with('#') && !line.starts_with(' ') {
            continue;
        }
        let entry = entries.last_mut()?;
        if line.starts_with([' ', '\t']) || blank {
            if entry.continuation.is_empty() {
                entry.block.push(line);
            } else {
                entry.continuation.push(line.trim());
            }
        } else {
            // Text at column 0 that is not a key continues the entry's text.
            entry.block.retain(|l| !l.trim().is_empty());
            if !entry.block.is_empty() && entry.value.is_empty() {
                return None;
            }
            let folded_lines = std::mem::take(&mut entry.block);
            entry.continuation.extend(folded_lines.into_iter().map(str::trim));
            entry.continuation.push(line);
        }
    }
    if entries.is_empty() {
        return None;
    }
    let pairs = entries
        .iter()
        .map(|e| Some((Node { value: Value::Str(e.key.to_owned()), pos: e.key_pos, raw: None }, value(e)?)))
        .collect::<Option<Vec<_>>>()?;
    Some(Node { value: Value::Map(pairs), pos: Pos { line: first_line, column: 1 }, raw: None })
}

/// `key: value` at column 0: (key, value text, 1-based column of the value).
fn top_level_key(line: &str) -> Option<(&str, &str, usize)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    let valid = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let after = &line[colon + 1..];
    if !valid || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let value = after.trim();
    let leading = after.len() - after.trim_start().len();
    Some((key, value, line[..colon + 1 + leading].chars().count() + 1))
}

/// The node of one entry's value.
fn value(entry: &Entry<'_>) -> Option<Node> {
    let has_block = entry.block.iter().any(|l| !l.trim().is_empty());
    let is_block_text = matches!(entry.value.chars().next(), Some('|' | '>'));
    if (entry.value.is_empty() && has_block) || is_block_text {
        // A nested list or mapping, or a block text: strict YAML for this entry alone.
        let mut text = format!("{}: {}\n", entry.key, entry.value);
        for line in &entry.block {
            text.push_str(line);
            text.push('\n');
        }
        let node = yaml::parse(&text, entry.line).ok()?;
        return node.get(entry.key).cloned();
    }
    if entry.continuation.is_empty() {
        if let Ok(node) = yaml::parse(&format!("{}: {}\n", entry.key, entry.value), entry.line) {
            if let Some(value) = node.get(entry.key) {
                if !matches!(value.value, Value::Seq(_) | Value::Map(_)) {
                    return Some(value.clone());
                }
            }
        }
    }
    let mut text = unquote(entry.value).to_owned();
    for line in &entry.continuation {
        if line.is_empty() {
            text.push('\n');
        } else {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push(' ');
            }
            text.push_str(line);
        }
    }
    Some(Node {
        value: if text.is_empty() { Value::Null } else { Value::Str(text) },
        pos: entry.value_pos,
        raw: None,
    })
}

/// The text without one pair of matching surrounding quotes.
fn unquote(text: &str) -> &str {
    for quote in ['"', '\''] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            return &text[1..text.len() - 1];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(node: &Node, key: &str) -> String {
        match &node.get(key).unwrap().value {
            Value::Str(s) => s.clone(),
            other => panic!("{key} is {other:?}"),
        }
    }

    #[test]
    fn unquoted_colons_stay_in_the_value() {
        let yaml =
            "name: gdpr\ndescription: Use for privacy reviews. Triggers on: 'GDPR', 'CCPA'\nmodel: sonnet\n";
        assert!(yaml::parse(yaml, 2).is_err(), "the fixture must not be strict YAML");
        let node = recover(yaml, 2).unwrap();
        assert_eq!(text_of(&node, "description"), "Use for privacy reviews. Triggers on: 'GDPR', 'CCPA'");
        assert_eq!(node.get("description").unwrap().pos, Pos { line: 3, column: 14 });
        assert_eq!(text_of(&node, "model"), "sonnet");
    }

    #[test]
    fn examples_with_literal_newlines_and_bold_starts_are_kept() {
        let yaml = "name: a\ndescription: **Expert**: does things.\\n<example>Context: x user: y</example>\ntools: Read, Grep\n";
        let node = recover(yaml, 2).unwrap();
        assert_eq!(
            text_of(&node, "description"),
            "**Expert**: does things.\\n<example>Context: x user: y</example>"
        );
        assert_eq!(text_of(&node, "tools"), "Read, Grep");
    }

    #[test]
    fn column_zero_lines_continue_the_text() {
        let yaml = "name: a\ndescription: First part: still\nsecond line\n\nnew paragraph\nmodel: opus\n";
        let node = recover(yaml, 2).unwrap();
        assert_eq!(text_of(&node, "description"), "First part: still second line\nnew paragraph");
    }

    #[test]
    fn blocks_and_typed_scalars_keep_their_yaml() {
        let yaml = "name: a\ndescription: x: y\ntools:\n  - Read\n  - mcp__gh__issue\nmaxTurns: 5\nbackground: true\n";
        let node = recover(yaml, 2).unwrap();
        let Value::Seq(tools) = &node.get("tools").unwrap().value else { panic!() };
        assert_eq!(tools.len(), 2);
        assert_eq!(tools[1].pos, Pos { line: 6, column: 5 });
        assert_eq!(node.get("maxTurns").unwrap().value, Value::Int(5));
        assert_eq!(node.get("background").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn what_claude_code_cannot_read_either_is_not_recovered() {
        assert!(recover("just text\nname: a\n", 2).is_none());
        assert!(recover("name: a\nname: b\n", 2).is_none());
        assert!(recover("name: a\ntools:\n  - [unclosed\n", 2).is_none());
    }
}
