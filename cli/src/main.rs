//! `agentbind`: lint agent files and print the Rust generated for them.
//!
//! ```text
//! agentbind check <path>...    lint agent files (folders are searched for *.md agents)
//! agentbind expand <file.md>   print the generated module, formatted
//! ```
//!
//! Exit codes: 0 all files are valid (or the expansion was printed), 1 an agent file has
//! problems (each printed rustc-style on stderr), 2 the command line is wrong or a path cannot
//! be read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: agentbind check <path>...     lint agent files; folders are searched recursively for *.md agents
       agentbind expand <file.md>    print the Rust module generated for an agent file

exit codes: 0 valid, 1 an agent file has problems, 2 usage or I/O error";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") if args.len() > 1 => check(&args[1..]),
        Some("expand") if args.len() == 2 => expand(Path::new(&args[1])),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Lints every agent file named or found under the given paths.
fn check(paths: &[String]) -> ExitCode {
    let mut files: Vec<PathBuf> = Vec::new();
    for path in paths.iter().map(Path::new) {
        if path.is_dir() {
            match agentbind_codegen::agent_files(Path::new(""), path) {
                Ok(found) => files.extend(found),
                Err(e) => {
                    eprintln!("error: cannot read folder `{}`: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        } else {
            files.push(path.to_path_buf());
        }
    }
    let mut failed = 0;
    for file in &files {
        let display = file.to_string_lossy();
        let result =
            agentbind_codegen::Source::read(file, &display).and_then(|s| agentbind_codegen::validate(&s));
        if let Err(error) = result {
            failed += 1;
            eprintln!("{}", error.render());
        }
    }
    let noun = if files.len() == 1 { "file" } else { "files" };
    if failed == 0 {
        println!("checked {} agent {noun}: all valid", files.len());
        ExitCode::SUCCESS
    } else {
        eprintln!("checked {} agent {noun}: {failed} with problems", files.len());
        ExitCode::from(1)
    }
}

/// Prints the module generated for one agent file.
fn expand(file: &Path) -> ExitCode {
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
