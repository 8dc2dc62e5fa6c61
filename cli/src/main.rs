//! `agentbind`: lint agent files and print the Rust generated for them.
//!
//! ```text
//! agentbind check [--format human|json|github] [--deny-empty] <path>...
//! agentbind expand <file.md>
//! agentbind hook [--agents DIR]... [--plugin NAME=DIR]... [--repairs N] [--no-reply-format] [--strict] [--log FILE]
//! agentbind hook install|uninstall [--user | --project DIR | --settings FILE] [--command CMD]
//! ```
//!
//! `check` also rejects what a build script's `Builder` rejects across files: two files that
//! would be one module (the same file stem) or two agents with one `name`.
//!
//! Exit codes: 0 all files are valid (or the expansion was printed), 1 an agent file has
//! problems (or, with `--deny-empty`, a folder has no agent files), 2 the command line is
//! wrong or a path cannot be read.

mod hook;
mod install;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentbind_codegen::{AgentSpec, Binding, Diagnostic, Source};
use report::{Format, Report};

const USAGE: &str = "\
usage: agentbind check [--format human|json|github] [--deny-empty] <path>...
           lint agent files; folders are searched recursively for *.md files that start with ---;
           files that would share a module name or an agent `name` are errors, as in a build script
       agentbind expand <file.md>
           print the Rust module generated for an agent file
       agentbind hook [--agents DIR]... [--plugin NAME=DIR]... [--repairs N] [--no-reply-format]
                      [--strict] [--log FILE]
           answer one Claude Code hook event (JSON on stdin): PreToolUse of Agent/Task denies a
           dispatch whose prompt lacks the subagent's required inputs; SubagentStop sends a reply
           that breaks the contract back for repair (at most N times, default 2). Agents are
           read from the project's .claude/agents (CLAUDE_PROJECT_DIR, or the nearest folder up
           from the event's cwd that has one) and ~/.claude/agents unless --agents is given
       agentbind hook install|uninstall [--user | --project DIR | --settings FILE] [--command CMD]
           add (or remove) the two hook entries in .claude/settings.json (--user: ~/.claude/...)

  --format human    rustc-style diagnostics on stderr (the default)
  --format json     one JSON object on stdout: files, problems, unreadable paths, empty folders
  --format github   GitHub Actions annotations on stdout (::error file=...,line=...,col=...::)
  --deny-empty      a folder without agent files is an error, not a note

exit codes: 0 valid, 1 an agent file has problems (or an empty folder with --deny-empty),
            2 usage error or a path that cannot be read";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => match CheckOptions::parse(&args[1..]) {
            Ok(options) => check(&options),
            Err(message) => usage_error(&message),
        },
        Some("expand") if args.len() == 2 => expand(Path::new(&args[1])),
        Some("hook") => match args.get(1).map(String::as_str) {
            Some(which @ ("install" | "uninstall")) => {
                match install::InstallCommand::parse(which == "install", &args[2..]) {
                    Ok(command) => command.run(),
                    Err(message) => usage_error(&message),
                }
            }
            _ => match hook::HookCommand::parse(&args[1..]) {
                Ok(command) => command.run(),
                Err(message) => usage_error(&message),
            },
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error(""),
    }
}

fn usage_error(message: &str) -> ExitCode {
    if !message.is_empty() {
        eprintln!("error: {message}\n");
    }
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// The command line of `check`.
struct CheckOptions {
    format: Format,
    deny_empty: bool,
    paths: Vec<PathBuf>,
}

impl CheckOptions {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = CheckOptions { format: Format::Human, deny_empty: false, paths: Vec::new() };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--format" => {
                    let value = args.next().ok_or("`--format` needs a value: human, json or github")?;
                    options.format = Format::parse(value)?;
                }
                "--deny-empty" => options.deny_empty = true,
                flag if flag.starts_with("--format=") => {
                    options.format = Format::parse(&flag["--format=".len()..])?
                }
                flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
                path => options.paths.push(PathBuf::from(path)),
            }
        }
        if options.paths.is_empty() {
            return Err("`check` needs at least one file or folder".to_owned());
        }
        Ok(options)
    }
}

/// Lints every agent file named or found under the given paths.
fn check(options: &CheckOptions) -> ExitCode {
    let mut report = Report::new(options.format);
    let mut files: Vec<PathBuf> = Vec::new();
    for path in &options.paths {
        if path.is_dir() {
            match agentbind_codegen::find_agent_files(Path::new(""), path) {
                Ok(found) if found.files.is_empty() && found.problems.is_empty() => {
                    report.empty_folder(path, options.deny_empty)
                }
                Ok(found) => {
                    files.extend(found.files);
                    for problem in &found.problems {
                        report.problems(std::slice::from_ref(problem));
                    }
                }
                Err(e) => report.unreadable(path, &e.to_string()),
            }
        } else {
            files.push(path.clone());
        }
    }
    // Every file is validated first, then the valid ones are checked against each other for
    // what the builder also rejects: two files that would be one module, or share a `name`.
    let mut checked: Vec<(Source, Result<AgentSpec, Vec<Diagnostic>>)> = Vec::new();
    for file in &files {
        // A path that cannot be read is the command line's problem (exit 2), not the file's.
        if let Err(e) = std::fs::metadata(file) {
            report.unreadable(file, &e.to_string());
            continue;
        }
        let display = file.to_string_lossy();
        match Source::read(file, &display) {
            Ok(source) => {
                let spec = agentbind_codegen::validate(&source).map_err(|e| e.diagnostics().to_vec());
                checked.push((source, spec));
            }
            Err(error) => report.problems(error.diagnostics()),
        }
    }
    let modules: Vec<String> = checked
        .iter()
        .map(|(source, _)| agentbind_codegen::module_name_for(&source.path).unwrap_or_default())
        .collect();
    let valid: Vec<(usize, Binding<'_>)> = checked
        .iter()
        .zip(&modules)
        .enumerate()
        .filter_map(|(index, ((source, spec), module))| {
            let spec = spec.as_ref().ok()?;
            Some((index, Binding { module, source, spec }))
        })
        .collect();
    let bindings: Vec<Binding<'_>> = valid.iter().map(|(_, binding)| *binding).collect();
    let mut cross_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); checked.len()];
    for collision in agentbind_codegen::collisions(&bindings) {
        let [at_first, at_second] = collision.diagnostics;
        cross_file[valid[collision.first].0].push(at_first);
        cross_file[valid[collision.second].0].push(at_second);
    }
    for ((_, spec), more) in checked.iter().zip(cross_file) {
        let mut diagnostics = spec.as_ref().err().cloned().unwrap_or_default();
        diagnostics.extend(more);
        if diagnostics.is_empty() {
            report.valid();
        } else {
            report.problems(&diagnostics);
        }
    }
    report.finish()
}

/// Prints the module generated for one agent file.
fn expand(file: &Path) -> ExitCode {
    if let Err(e) = std::fs::metadata(file) {
        eprintln!("error: cannot read `{}`: {e}", file.display());
        return ExitCode::from(2);
    }
    let display = file.to_string_lossy();
    let name = agentbind_codegen::module_name_for(file).unwrap_or_else(|| "agent".to_owned());
    let generated = match agentbind_codegen::generate(file, &display, &agentbind_codegen::Options::default())
    {
        Ok(generated) => generated,
        Err(error) => {
            eprintln!("{}", error.render());
            return ExitCode::from(1);
        }
    };
    match agentbind_codegen::pretty(&generated.module_code(&name)) {
        Ok(code) => {
            print!("{code}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: the generated code does not parse: {e}");
            ExitCode::from(2)
        }
    }
}
