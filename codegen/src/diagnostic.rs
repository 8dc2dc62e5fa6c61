//! Located diagnostics: every problem in an agent file names `file.md:line:col`.

use std::fmt;

/// One problem in an agent file, at a 1-based line and column (in characters) of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it (`agents/backend-engineer-golang.md`).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
    /// The text of the offending line, for rustc-style rendering.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// `path:line:col`.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.path, self.line, self.column)
    }

    /// The message and, when there is one, the help, on one line: `message (help: ...)`.
    pub fn message_with_help(&self) -> String {
        match &self.help {
            Some(help) => format!("{} (help: {help})", self.message),
            None => self.message.clone(),
        }
    }

    /// Renders the diagnostic rustc-style: the message, the location, the source line with a
    /// caret under the offending column, and the help. Control characters from the file (an
    /// escape sequence could retitle or clear the terminal) are shown as `\u{1b}`, as in
    /// messages.
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", printable(&self.message));
        let gutter = self.line.to_string().len();
        let pad = " ".repeat(gutter);
        out.push_str(&format!("{pad}--> {}:{}:{}\n", printable(&self.path), self.line, self.column));
        if let Some(text) = &self.source_line {
            let mut line = String::with_capacity(text.len());
            let mut caret_pad = String::new();
            for (i, c) in text.chars().enumerate() {
                let start = line.len();
                push_printable(&mut line, c);
                if i + 1 < self.column {
                    let shown = line[start..].chars().count();
                    caret_pad.extend(std::iter::repeat_n(if c == '\t' { '\t' } else { ' ' }, shown));
                }
            }
            out.push_str(&format!("{pad} |\n{} | {line}\n{pad} | {caret_pad}^\n", self.line));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{pad} = help: {}\n", printable(help)));
        }
        out
    }
}

/// Whether `c` is shown as an escape: control characters other than tab, and the bidi
/// controls that reorder what a terminal shows.
fn unprintable(c: char) -> bool {
    (c.is_control() && c != '\t') || is_bidi_control(c)
}

/// Whether `c` changes the direction of the text around it (embeddings, overrides, isolates,
/// marks): terminals and rustc's `text_direction_*` lints treat these as invisible hazards.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `text` with [`unprintable`] characters written as `\u{..}`.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(unprintable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    text.chars().for_each(|c| push_printable(&mut out, c));
    std::borrow::Cow::Owned(out)
}

fn push_printable(out: &mut String, c: char) {
    if unprintable(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:col: message (help: ...)`, on one line: the form used in compile errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem found in one or more agent files.
///
/// `Display` and `Debug` both render every diagnostic rustc-style, so that `unwrap` and
/// `expect` in a build script print the located problems, not a struct dump; `{:#?}` gives
/// the struct.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// An error made of `diagnostics` (at least one).
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }

    /// Every diagnostic, in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Every diagnostic rendered rustc-style, one after another.
    pub fn render(&self) -> String {
        self.diagnostics.iter().map(Diagnostic::render).collect::<Vec<_>>().join("\n")
    }

    /// This error followed by the diagnostics of `other`.
    pub fn merge(mut self, other: Error) -> Self {
        self.diagnostics.extend(other.diagnostics);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_struct("Error").field("diagnostics", &self.diagnostics).finish()
        } else {
            // After `unwrap`'s "called `Result::unwrap()` on an `Err` value: ", start the
            // rendered diagnostics on a line of their own.
            write!(f, "\n{}", self.render())
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_of_the_file_are_escaped_and_the_caret_still_points_at_the_value() {
        let diagnostic = Diagnostic {
            path: "agents/x\u{1b}.md".into(),
            line: 3,
            column: 11,
            message: "unknown model `x`".into(),
            help: Some("see \u{202e}here".into()),
            source_line: Some("m\u{1b}]0;t\u{7}: \tx".into()),
        };
        let rendered = diagnostic.render();
        assert!(!rendered.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{rendered:?}");
        assert!(rendered.contains("--> agents/x\\u{1b}.md:3:11"), "{rendered}");
        assert!(rendered.contains("see \\u{202e}here"), "{rendered}");
        // The caret sits under the `x` after the escapes: "m" + 6 + "]0;t" + 5 + ": " + tab.
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines[3], "3 | m\\u{1b}]0;t\\u{7}: \tx");
        let caret = lines[4].strip_prefix("  | ").unwrap();
        assert_eq!(caret.len(), lines[3].strip_prefix("3 | ").unwrap().len(), "{rendered}");
        assert!(caret.ends_with("\t^"), "{caret:?}");
    }
}
