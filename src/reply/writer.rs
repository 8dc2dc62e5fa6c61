//! [`ReplyWriter`]: a typed reply written back to markdown, section by section.

use super::{Captured, SectionText};

/// Writes a typed reply back to markdown, section by section; what generated
/// `Output::to_markdown` uses. Parsing the result gives the same `Output` back, as long as no
/// body holds a line that starts a section.
#[derive(Debug)]
pub struct ReplyWriter {
    matcher: &'static crate::SectionMatcher<'static>,
    out: String,
}

impl ReplyWriter {
    /// A writer for the sections of `matcher`'s agent.
    pub fn new(matcher: &'static crate::SectionMatcher<'static>) -> Self {
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
