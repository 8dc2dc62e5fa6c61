//! [`Diagnostics`]: the problems of one file, collected while it is validated.

use crate::diagnostic::{Diagnostic, Error};
use crate::source::{Pos, Source};

/// Collects diagnostics for one file while it is validated (serde_derive style: keep going,
/// report everything).
#[derive(Debug)]
pub(crate) struct Diagnostics<'a> {
    source: &'a Source,
    found: Vec<Diagnostic>,
}

impl<'a> Diagnostics<'a> {
    pub(crate) fn new(source: &'a Source) -> Self {
        Self { source, found: Vec::new() }
    }

    /// Records a problem at a file position.
    pub(crate) fn error(&mut self, at: Pos, message: impl Into<String>) {
        self.push(at, message.into(), None);
    }

    /// Records a problem with a help text.
    pub(crate) fn error_help(&mut self, at: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.push(at, message.into(), Some(help.into()));
    }

    fn push(&mut self, at: Pos, message: String, help: Option<String>) {
        self.found.push(self.source.diagnostic(at, message, help));
    }

    /// The file's path as diagnostics name it.
    pub(crate) fn path(&self) -> &str {
        &self.source.display_path
    }

    pub(crate) fn into_result<T>(mut self, value: T) -> Result<T, Error> {
        if self.found.is_empty() {
            Ok(value)
        } else {
            self.found.sort_by_key(|d| (d.line, d.column));
            Err(Error::new(self.found))
        }
    }
}
