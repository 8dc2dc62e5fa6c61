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
    let out = agentbind(&["check", "tests/corpus/ring"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "checked 45 agent files: all valid\n");
}

#[test]
fn check_reports_the_collisions_a_build_script_would() {
    // The reference agent and its older revision in the corpus: one file stem, one `name`.
    let out = agentbind(&[
        "check",
        "--format",
        "json",
        "examples/agents/backend-engineer-golang.md",
        "tests/corpus/ring/dev-team/agents/backend-engineer-golang.md",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems: Vec<String> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{}:{}:{}: {}", p["file"], p["line"], p["column"], p["message"]))
        .collect();
    assert_eq!(
        problems,
        [
            "\"examples/agents/backend-engineer-golang.md\":1:1: \"`examples/agents/backend-engineer-golang.md` and `tests/corpus/ring/dev-team/agents/backend-engineer-golang.md` would both be module `backend_engineer_golang`\"",
            "\"tests/corpus/ring/dev-team/agents/backend-engineer-golang.md\":1:1: \"`tests/corpus/ring/dev-team/agents/backend-engineer-golang.md` and `examples/agents/backend-engineer-golang.md` would both be module `backend_engineer_golang`\"",
        ]
    );
}

#[test]
fn check_reports_two_agents_with_one_name_at_both_files() {
    let out = agentbind(&["check", "tests/ui/agents/golang.md", "tests/ui/agents/golang-same-name.md"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: agent name `backend-engineer-golang` is also the name of the agent at tests/ui/agents/golang-same-name.md:2:7\n --> tests/ui/agents/golang.md:2:7"), "{stderr}");
    assert!(stderr.contains("error: agent name `backend-engineer-golang` is also the name of the agent at tests/ui/agents/golang.md:2:7\n --> tests/ui/agents/golang-same-name.md:2:7"), "{stderr}");
    assert!(stderr.ends_with("checked 2 agent files: 2 with problems\n"), "{stderr}");
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
    // The module is data for the runtime's macros: here, the inputs of the file.
    assert!(stdout.contains("::agentbind::__private_v0_3::input! {"), "{stdout}");
    assert!(
        stdout.contains("required[(task_description \"task_description\"[::std::string::String]"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(agentbind(&[]).status.code(), Some(2));
    assert_eq!(agentbind(&["expand"]).status.code(), Some(2));
    assert_eq!(agentbind(&["--help"]).status.code(), Some(0));
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_path_that_cannot_be_read_exits_2_with_a_cli_hint() {
    let out = agentbind(&["check", "examples/agents/backend-engineer-golang.md", "no/such/agent.md"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot read `no/such/agent.md`: No such file or directory"),
        "{stderr}"
    );
    assert!(!stderr.contains("CARGO_MANIFEST_DIR"), "{stderr}");
    assert!(stderr.ends_with("checked 1 agent file: all valid\n"), "{stderr}");
    // A file with problems does not hide the I/O error's exit code.
    let out = agentbind(&["check", "tests/ui/agents/several-problems.md", "no/such/agent.md"]);
    assert_eq!(out.status.code(), Some(2));
    let out = agentbind(&["expand", "no/such/agent.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: cannot read `no/such/agent.md`"));
}

/// An empty folder under the system's temporary folder; removed when dropped.
struct EmptyFolder(std::path::PathBuf);

impl EmptyFolder {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("agentbind-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join("nested")).unwrap();
        std::fs::write(path.join("nested/README.md"), "# Not an agent: no frontmatter\n").unwrap();
        EmptyFolder(path)
    }

    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for EmptyFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_folder_without_agents_is_a_note_or_with_deny_empty_an_error() {
    let empty = EmptyFolder::new("empty");
    let out = agentbind(&["check", empty.arg()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with(&format!("note: no agent files in `{}`", empty.arg())), "{stderr}");
    assert_eq!(text(&out.stdout), "checked 0 agent files: all valid\n");

    let out = agentbind(&["check", "--deny-empty", empty.arg(), "examples/agents"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("warning: no agent files in"), "{stderr}");
    assert!(stderr.contains("--deny-empty makes this an error"), "{stderr}");
}

#[test]
fn json_format_lists_every_problem_with_its_location() {
    let empty = EmptyFolder::new("json");
    let out = agentbind(&[
        "check",
        "--format",
        "json",
        "tests/ui/agents/several-problems.md",
        "examples/agents",
        "missing.md",
        empty.arg(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "", "json mode writes only the document");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"], 2);
    assert_eq!(report["files_with_problems"], 1);
    assert_eq!(report["exit_code"], 2);
    let first = &report["problems"][0];
    assert_eq!(first["file"], "tests/ui/agents/several-problems.md");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(7), Some(13)));
    assert_eq!(first["message"], "unknown input type `text` for input `task`");
    assert!(first["help"].as_str().unwrap().starts_with("expected one of:"));
    assert_eq!(report["problems"].as_array().unwrap().len(), 3);
    assert_eq!(report["unreadable"][0]["path"], "missing.md");
    assert_eq!(report["empty_folders"][0], empty.arg());
}

#[test]
fn github_format_prints_annotations() {
    let out = agentbind(&["check", "--format=github", "tests/ui/agents/several-problems.md"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=tests/ui/agents/several-problems.md,line=7,col=13,title=agentbind::unknown input type `text` for input `task` (help: expected one of: string, markdown, file_content, file_path, object, integer, number, boolean, list, list[<type>])"
    );
    assert_eq!(stdout.lines().count(), 3);
    assert!(text(&out.stderr).ends_with("checked 1 agent file: 1 with problems\n"));
}

#[test]
fn bad_options_are_usage_errors() {
    let out = agentbind(&["check", "--format", "xml", "examples/agents"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: unknown format `xml`: expected human, json or github"));
    assert_eq!(agentbind(&["check", "--frobnicate", "examples/agents"]).status.code(), Some(2));
    assert_eq!(agentbind(&["check"]).status.code(), Some(2));
    assert_eq!(agentbind(&["check", "--format"]).status.code(), Some(2));
}

#[test]
fn check_refuses_a_pattern_too_large_to_match_in_bounded_time() {
    let out = agentbind(&["check", "tests/ui/agents/pattern-too-large.md"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is too large: compiled, it takes more than 16 KiB"), "{stderr}");
    assert!(stderr.contains(" --> tests/ui/agents/pattern-too-large.md:10:16\n"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn check_reports_the_surprises_of_a_folder_as_the_builder_does() {
    let dir = std::env::temp_dir().join(format!("agentbind-check-surprises-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("agents")).unwrap();
    std::fs::write(dir.join("agents/x1.md"), "---\nname: x-one\ndescription: One.\n---\nBody\n").unwrap();
    std::fs::write(dir.join("agents/x-1.md"), "---\nname: x-dash-one\ndescription: Two.\n---\nBody\n")
        .unwrap();
    std::os::unix::fs::symlink(dir.join("nowhere.md"), dir.join("agents/dangling.md")).unwrap();
    let out = agentbind(&["check", "--format", "json", dir.join("agents").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<&str> =
        report["problems"].as_array().unwrap().iter().map(|p| p["message"].as_str().unwrap()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("the link cannot be followed")), "{messages:?}");
    assert_eq!(
        messages.iter().filter(|m| m.contains("would both be `AnyAgent::X1`")).count(),
        2,
        "{messages:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
