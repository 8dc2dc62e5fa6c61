//! Reading an agent file: UTF-8 text, the frontmatter between `---` lines, and the body.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Error};

/// Agent files larger than this (4 MiB) are refused: reading stays bounded.
pub const MAX_AGENT_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A position in the file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Pos {
    /// The start of the file.
    pub const START: Pos = Pos { line: 1, column: 1 };
}

/// One agent file read into memory.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path the user gave, used in diagnostics.
    pub display_path: String,
    /// The path the file was read from.
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
}

/// The file split into frontmatter and body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parts<'a> {
    /// The YAML between the `---` lines.
    pub(crate) frontmatter: &'a str,
    /// 1-based file line of the frontmatter's first line.
    pub(crate) frontmatter_line: usize,
    /// Everything after the closing `---` line.
    pub(crate) body: &'a str,
}

impl Source {
    /// Reads `path`; `display_path` is how diagnostics name it.
    pub fn read(path: &Path, display_path: &str) -> Result<Source, Error> {
        let fail = |message: String, help: Option<String>| {
            Error::new(vec![Diagnostic {
                path: display_path.to_owned(),
                line: 1,
                column: 1,
                message,
                help,
                source_line: None,
            }])
        };
        // The message leaves out the absolute path: the location already names the file, and
        // an absolute path would tie compiler output to where the crate or its target folder
        // happens to be.
        if path.to_str().is_none() {
            return Err(fail(
                "the file name is not valid UTF-8, which the generated `include_str!` needs".to_owned(),
                Some("rename the file".to_owned()),
            ));
        }
        let metadata = std::fs::metadata(path).map_err(|e| {
            fail(
                format!("cannot read agent file: {e}"),
                Some("the path is relative to the crate's CARGO_MANIFEST_DIR".to_owned()),
            )
        })?;
        if metadata.len() > MAX_AGENT_FILE_BYTES {
            return Err(fail(
                format!(
                    "agent file is {} bytes, more than the limit of {MAX_AGENT_FILE_BYTES} bytes",
                    metadata.len()
                ),
                None,
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read agent file: {e}"), None))?;
        Source::from_bytes(path.to_path_buf(), display_path, bytes)
    }

    /// A source from bytes already in memory (tests, the CLI's stdin).
    pub fn from_bytes(path: PathBuf, display_path: &str, bytes: Vec<u8>) -> Result<Source, Error> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source { display_path: display_path.to_owned(), path, text }),
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let valid = std::str::from_utf8(valid).unwrap_or_default();
                let line = valid.matches('\n').count() + 1;
                let column = valid.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
                Err(Error::new(vec![Diagnostic {
                    path: display_path.to_owned(),
                    line,
                    column,
                    message: format!(
                        "agent file is not valid UTF-8 (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                    help: Some("save the file as UTF-8".to_owned()),
                    source_line: None,
                }]))
            }
        }
    }

    /// A source from text (tests, generated files).
    pub fn from_text(display_path: &str, text: impl Into<String>) -> Source {
        Source { display_path: display_path.to_owned(), path: PathBuf::from(display_path), text: text.into() }
    }

    /// A diagnostic at `at` in this file.
    pub(crate) fn diagnostic(&self, at: Pos, message: String, help: Option<String>) -> Diagnostic {
        Diagnostic {
            path: self.display_path.clone(),
            line: at.line,
            column: at.column,
            message,
            help,
            source_line: self.text.lines().nth(at.line.saturating_sub(1)).map(str::to_owned),
        }
    }

    /// Splits the file into frontmatter and body. The file must start with a `---` line (after
    /// an optional byte-order mark) and the frontmatter ends at the next `---` (or `...`) line.
    pub(crate) fn parts(&self) -> Result<Parts<'_>, Error> {
        let text = self.text.strip_prefix('\u{feff}').unwrap_or(&self.text);
        let mut lines = text.split_inclusive('\n');
        let first = lines.next().unwrap_or_default();
        if trim_eol(first).trim_end() != "---" {
            return Err(Error::new(vec![self.diagnostic(
                Pos::START,
                "agent file has no frontmatter: its first line must be `---`".to_owned(),
                Some(
                    "start the file with a YAML block between `---` lines: `---\\nname: my-agent\\n---`"
                        .to_owned(),
                ),
            )]));
        }
        let start = first.len();
        let mut offset = start;
        for line in lines {
            let content = trim_eol(line).trim_end();
            if content == "---" || content == "..." {
                return Ok(Parts {
                    frontmatter: &text[start..offset],
                    frontmatter_line: 2,
                    body: &text[offset + line.len()..],
                });
            }
            offset += line.len();
        }
        Err(Error::new(vec![self.diagnostic(
            Pos::START,
            "unterminated frontmatter: no closing `---` line".to_owned(),
            Some("end the YAML block with a line that holds only `---`".to_owned()),
        )]))
    }
}

fn trim_eol(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_frontmatter_and_body() {
        let source = Source::from_text("a.md", "---\nname: a\n---\n# Body\n");
        let parts = source.parts().unwrap();
        assert_eq!(parts.frontmatter, "name: a\n");
        assert_eq!(parts.body, "# Body\n");
    }

    #[test]
    fn tolerates_bom_and_crlf() {
        let source = Source::from_text("a.md", "\u{feff}---\r\nname: a\r\n---\r\nbody");
        let parts = source.parts().unwrap();
        assert_eq!(parts.frontmatter, "name: a\r\n");
        assert_eq!(parts.body, "body");
    }

    #[test]
    fn missing_and_unterminated_frontmatter_are_located_errors() {
        let err = Source::from_text("a.md", "# no frontmatter\n").parts().unwrap_err();
        assert_eq!(err.diagnostics()[0].location(), "a.md:1:1");
        assert!(err.diagnostics()[0].message.contains("no frontmatter"));
        let err = Source::from_text("a.md", "---\nname: a\n").parts().unwrap_err();
        assert!(err.diagnostics()[0].message.contains("unterminated"));
    }

    #[test]
    fn non_utf8_names_the_offending_line() {
        let err = Source::from_bytes("a.md".into(), "a.md", b"---\nname: \xff\n---\n".to_vec()).unwrap_err();
        assert_eq!(err.diagnostics()[0].location(), "a.md:2:7");
    }
}
