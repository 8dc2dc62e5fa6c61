//! What `check` prints, in each output format, and its exit code.

use std::path::Path;
use std::process::ExitCode;

use agentbind_codegen::Diagnostic;
use serde_json::json;

/// How `check` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rustc-style diagnostics on stderr, a summary line.
    Human,
    /// One JSON object on stdout.
    Json,
    /// GitHub Actions workflow commands on stdout.
    Github,
}

impl Format {
    pub fn parse(value: &str) -> Result<Format, String> {
        match value {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "github" => Ok(Format::Github),
            other => Err(format!("unknown format `{other}`: expected human, json or github")),
        }
    }
}

/// What `check` found so far.
pub struct Report {
    format: Format,
    files: usize,
    failed_files: usize,
    problems: Vec<serde_json::Value>,
    unreadable: Vec<serde_json::Value>,
    empty: Vec<String>,
    denied_empty: bool,
}

impl Report {
    pub fn new(format: Format) -> Self {
        Report {
            format,
            files: 0,
            failed_files: 0,
            problems: Vec::new(),
            unreadable: Vec::new(),
            empty: Vec::new(),
            denied_empty: false,
        }
    }

    /// A file without problems.
    pub fn valid(&mut self) {
        self.files += 1;
    }

    /// A file with problems.
    pub fn problems(&mut self, diagnostics: &[Diagnostic]) {
        self.files += 1;
        self.failed_files += 1;
        for diagnostic in diagnostics {
            match self.format {
                Format::Human => eprintln!("{}\n", diagnostic.render()),
                Format::Github => println!(
                    "::error file={},line={},col={},title=agentbind::{}",
                    property(&diagnostic.path),
                    diagnostic.line,
                    diagnostic.column,
                    data(&diagnostic.message_with_help())
                ),
                Format::Json => {}
            }
            self.problems.push(json!({
                "file": diagnostic.path,
                "line": diagnostic.line,
                "column": diagnostic.column,
                "message": diagnostic.message,
                "help": diagnostic.help,
            }));
        }
    }

    /// A path that cannot be read.
    pub fn unreadable(&mut self, path: &Path, error: &str) {
        let shown = path.display();
        match self.format {
            Format::Human => eprintln!("error: cannot read `{shown}`: {error}\n"),
            Format::Github => {
                println!(
                    "::error file={},title=agentbind::{}",
                    property(&shown.to_string()),
                    data(&format!("cannot read: {error}"))
                )
            }
            Format::Json => {}
        }
        self.unreadable.push(json!({"path": shown.to_string(), "error": error}));
    }

    /// A folder with no agent file in it.
    pub fn empty_folder(&mut self, path: &Path, deny: bool) {
        let shown = path.display();
        let what =
            format!("no agent files in `{shown}` (agent files are *.md files that start with a `---` line)");
        self.denied_empty |= deny;
        match (self.format, deny) {
            (Format::Human, true) => {
                eprintln!("warning: {what}\n  = note: --deny-empty makes this an error\n")
            }
            (Format::Human, false) => eprintln!("note: {what}\n"),
            (Format::Github, true) => println!("::warning title=agentbind::{}", data(&what)),
            (Format::Github, false) => println!("::notice title=agentbind::{}", data(&what)),
            (Format::Json, _) => {}
        }
        self.empty.push(shown.to_string());
    }

    /// Prints the summary and gives the exit code: 2 when a path could not be read, else 1
    /// when a file has problems or an empty folder was denied, else 0.
    pub fn finish(self) -> ExitCode {
        let code = if !self.unreadable.is_empty() {
            2
        } else if self.failed_files > 0 || self.denied_empty {
            1
        } else {
            0
        };
        let noun = if self.files == 1 { "file" } else { "files" };
        let summary = if self.failed_files == 0 {
            format!("checked {} agent {noun}: all valid", self.files)
        } else {
            format!("checked {} agent {noun}: {} with problems", self.files, self.failed_files)
        };
        match self.format {
            Format::Human if code == 0 => println!("{summary}"),
            Format::Human | Format::Github => eprintln!("{summary}"),
            Format::Json => println!(
                "{}",
                json!({
                    "files": self.files,
                    "files_with_problems": self.failed_files,
                    "problems": self.problems,
                    "unreadable": self.unreadable,
                    "empty_folders": self.empty,
                    "exit_code": code,
                })
            ),
        }
        ExitCode::from(code)
    }
}

/// A workflow command's message, escaped as GitHub reads it.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value (`file=...`), escaped as GitHub reads it.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
