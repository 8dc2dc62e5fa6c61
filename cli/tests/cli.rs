//! The `agentbind` binary: `check` over the Ring corpus passes, bad files fail with
//! rustc-style diagnostics, `expand` prints the module.

use std::path::Path;
use std::process::{Command, Output};

fn agentbind(args: &[&str]) -> Output {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    Command::new(env!("CARGO_BIN_EXE_agentbind")).args(args).current_dir(workspace).output().unwrap()
}

#[test]
fn check_passes_on_the_ring_corpus() {
    let out = agentbind(&["check", "tests/corpus/ring", "examples/agents/backend-engineer-golang.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "checked 46 agent files: all valid\n");
}

#[test]
fn check_reports_problems_rustc_style() {
    let out = agentbind(&["check", "tests/ui/agents/several-problems.md", "tests/ui/agents/golang.md"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = "error: unknown input type `text` for input `task`\n --> tests/ui/agents/several-problems.md:7:13\n  |\n7 |       type: text\n  |             ^\n  = help: expected one of:";
    assert!(stderr.starts_with(expected), "{stderr}");
    assert!(stderr.contains("--> tests/ui/agents/several-problems.md:11:16"), "{stderr}");
    assert!(stderr.contains("--> tests/ui/agents/several-problems.md:15:13"), "{stderr}");
    assert!(stderr.ends_with("checked 2 agent files: 1 with problems\n"), "{stderr}");
}

#[test]
fn expand_prints_the_generated_module() {
    let out = agentbind(&["expand", "examples/agents/backend-engineer-golang.md"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("pub mod backend_engineer_golang {"), "{stdout}");
    assert!(stdout.contains("pub struct Input {"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(agentbind(&[]).status.code(), Some(2));
    assert_eq!(agentbind(&["expand"]).status.code(), Some(2));
    assert_eq!(agentbind(&["--help"]).status.code(), Some(0));
}
