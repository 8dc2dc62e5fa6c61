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
    /// caret under the offending column, and the help.
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.message);
        let gutter = self.line.to_string().len();
        let pad = " ".repeat(gutter);
        out.push_str(&format!("{pad}--> {}\n", self.location()));
        if let Some(text) = &self.source_line {
            let caret_pad: String = text
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!("{pad} |\n{} | {text}\n{pad} | {caret_pad}^\n", self.line));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{pad} = help: {help}\n"));
        }
        out
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
