//! Rendering of inputs into the user prompt.

use std::path::{Path, PathBuf};

use crate::text::{FileContent, Markdown};

/// Builds the user prompt of a dispatch: an optional context marker, then every present input
/// under a `## Heading` of its own.
#[derive(Debug, Default)]
pub struct PromptBuilder {
    out: String,
}

impl PromptBuilder {
    /// An empty prompt.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes a context marker line (`**MODE: ANALYSIS ONLY**`) as its own paragraph.
    pub fn marker(&mut self, marker: &str) {
        self.paragraph_break();
        self.out.push_str(marker);
        self.out.push('\n');
    }

    /// Writes `value` under `## heading`; a value that is absent (`None`) writes nothing.
    pub fn field<V: PromptValue + ?Sized>(&mut self, heading: &str, value: &V) {
        if value.is_absent() {
            return;
        }
        self.paragraph_break();
        self.out.push_str("## ");
        self.out.push_str(heading);
        self.out.push_str("\n\n");
        value.write_prompt(&mut self.out);
        if !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    /// Writes free text (task instructions) as its own paragraph.
    pub fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.paragraph_break();
        self.out.push_str(text);
        if !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    /// The prompt written so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The finished prompt.
    pub fn finish(self) -> String {
        self.out
    }

    fn paragraph_break(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            if !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            self.out.push('\n');
        }
    }
}

/// A value that can be written into a prompt.
///
/// Implemented for every input type agentbind generates: text, [`Markdown`], [`FileContent`]
/// (fenced), paths, JSON values (fenced as `json`), numbers, booleans, lists (bullets) and
/// `Option` (absent when `None`), and for the generated input enums.
pub trait PromptValue {
    /// Appends the value's text to `out`.
    fn write_prompt(&self, out: &mut String);
    /// Whether the value is absent and its heading should be left out.
    fn is_absent(&self) -> bool {
        false
    }
}

/// Writes `text` inside a code fence of backticks longer than any backtick run in `text`
/// (at least three), so nothing in `text` can close the fence early.
pub fn write_fenced(out: &mut String, info: &str, text: &str) {
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    out.push_str(&fence);
    out.push_str(info);
    out.push('\n');
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
}

/// The info string of a code fence that holds free text as written (see [`write_free_text`]).
pub(crate) const TEXT_FENCE_INFO: &str = "text";

/// Writes free text (a `string`, `markdown` or `file_path` input) so that reading the prompt
/// back gives exactly `text`: as it is, unless it could be mistaken for the prompt's own
/// structure or would lose its edges. Text that holds a `## ` line (an input heading), a line
/// that opens or closes a code fence, or that starts or ends with white space, is written in a
/// ```` ```text ```` fence longer than any backtick run inside it, followed by one line break
/// the reader takes off again.
pub fn write_free_text(out: &mut String, text: &str) {
    if !needs_text_fence(text) {
        out.push_str(text);
        return;
    }
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    out.push_str(&fence);
    out.push_str(TEXT_FENCE_INFO);
    out.push('\n');
    out.push_str(text);
    out.push('\n');
    out.push_str(&fence);
    out.push('\n');
}

/// Whether [`write_free_text`] fences `text`.
fn needs_text_fence(text: &str) -> bool {
    let edges = |c: char| c.is_whitespace();
    text.starts_with(edges)
        || text.ends_with(edges)
        || text.split('\n').any(|line| {
            let fence_run = line.chars().take_while(|&c| c == '`' || c == '~').count();
            line.starts_with("## ") || line.trim_end() == "##" || fence_run >= 3
        })
}

/// The text [`write_free_text`] wrote, when `text` is one of its fences (`None`: `text` was
/// written as it is).
#[cfg_attr(not(feature = "serde"), allow(dead_code))]
pub(crate) fn read_free_text(text: &str) -> Option<&str> {
    let fence_len = text.len() - text.trim_start_matches('`').len();
    if fence_len < 3 {
        return None;
    }
    let (fence, rest) = text.split_at(fence_len);
    let rest = rest.strip_prefix(TEXT_FENCE_INFO)?.strip_prefix('\n')?;
    rest.strip_suffix(fence)?.strip_suffix('\n')
}

impl PromptValue for str {
    fn write_prompt(&self, out: &mut String) {
        write_free_text(out, self);
    }
}

impl PromptValue for String {
    fn write_prompt(&self, out: &mut String) {
        write_free_text(out, self);
    }
}

impl PromptValue for Markdown {
    fn write_prompt(&self, out: &mut String) {
        write_free_text(out, self.as_str());
    }
}

impl PromptValue for FileContent {
    fn write_prompt(&self, out: &mut String) {
        write_fenced(out, "", self.as_str());
    }
}

impl PromptValue for Path {
    fn write_prompt(&self, out: &mut String) {
        write_free_text(out, &self.to_string_lossy());
    }
}

impl PromptValue for PathBuf {
    fn write_prompt(&self, out: &mut String) {
        self.as_path().write_prompt(out);
    }
}

impl PromptValue for serde_json::Value {
    fn write_prompt(&self, out: &mut String) {
        let json = serde_json::to_string_pretty(self).unwrap_or_else(|_| self.to_string());
        write_fenced(out, "json", &json);
    }
}

macro_rules! display_prompt_value {
    ($($ty:ty),*) => {$(
        impl PromptValue for $ty {
            fn write_prompt(&self, out: &mut String) {
                out.push_str(&self.to_string());
            }
        }
    )*};
}
display_prompt_value!(i64, f64, bool);

impl<T: PromptValue> PromptValue for Option<T> {
    fn write_prompt(&self, out: &mut String) {
        if let Some(value) = self {
            value.write_prompt(out);
        }
    }
    fn is_absent(&self) -> bool {
        self.as_ref().is_none_or(PromptValue::is_absent)
    }
}

impl<T: PromptValue> PromptValue for Vec<T> {
    fn write_prompt(&self, out: &mut String) {
        self.as_slice().write_prompt(out);
    }
}

impl<T: PromptValue> PromptValue for [T] {
    /// One bullet per item; lines after an item's first are indented under its bullet.
    fn write_prompt(&self, out: &mut String) {
        if self.is_empty() {
            out.push_str("(none)\n");
            return;
        }
        let mut item = String::new();
        for value in self {
            item.clear();
            value.write_prompt(&mut item);
            let mut lines = item.trim_end_matches('\n').split('\n');
            out.push_str("- ");
            out.push_str(lines.next().unwrap_or_default());
            out.push('\n');
            for line in lines {
                if !line.is_empty() {
                    out.push_str("  ");
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
    }
}

impl<T: PromptValue + ?Sized> PromptValue for &T {
    fn write_prompt(&self, out: &mut String) {
        (**self).write_prompt(out);
    }
    fn is_absent(&self) -> bool {
        (**self).is_absent()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_is_longer_than_any_backtick_run() {
        let mut out = String::new();
        write_fenced(&mut out, "", "a ```` b\n```\n");
        assert!(out.starts_with("`````\n"), "{out}");
        assert!(out.ends_with("\n`````\n"), "{out}");
    }

    #[test]
    fn fence_has_at_least_three_backticks() {
        let mut out = String::new();
        write_fenced(&mut out, "rust", "fn main() {}");
        assert_eq!(out, "```rust\nfn main() {}\n```\n");
    }

    #[test]
    fn absent_fields_write_nothing() {
        let mut p = PromptBuilder::new();
        p.field("A", &None::<String>);
        p.field("B", &Some("x".to_string()));
        assert_eq!(p.finish(), "## B\n\nx\n");
    }

    #[test]
    fn lists_are_bullets_with_indented_continuations() {
        let mut out = String::new();
        vec!["one".to_string(), "two\nlines".to_string()].write_prompt(&mut out);
        assert_eq!(out, "- one\n- two\n  lines\n");
        let mut out = String::new();
        Vec::<String>::new().write_prompt(&mut out);
        assert_eq!(out, "(none)\n");
    }
}
