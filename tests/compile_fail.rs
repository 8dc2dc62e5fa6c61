//! Compile-fail tests: invalid dispatches and invalid agent files do not compile, and every
//! agent-file diagnostic names `file.md:line:col`.
//!
//! trybuild compiles each `tests/ui/*.rs` in its own project under
//! `target/tests/trybuild/agentbind`, whose `CARGO_MANIFEST_DIR` is that folder; the agent files
//! the cases name (`agents/...`) are linked there from `tests/ui/agents`.

use std::path::{Path, PathBuf};

fn trybuild_project_dir() -> PathBuf {
    // This test binary lives in <target>/<profile>/deps/.
    let exe = std::env::current_exe().expect("test binary path");
    let target = exe.ancestors().nth(3).expect("target directory");
    target.join("tests").join("trybuild").join("agentbind")
}

fn link_agents(project: &Path) {
    std::fs::create_dir_all(project).expect("create trybuild project folder");
    let link = project.join("agents");
    let agents = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/agents");
    if std::fs::read_link(&link).is_ok_and(|to| to == agents) {
        return;
    }
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_dir_all(&link);
    #[cfg(unix)]
    std::os::unix::fs::symlink(&agents, &link).expect("link tests/ui/agents");
    #[cfg(not(unix))]
    copy_dir(&agents, &link);
}

#[cfg(not(unix))]
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create agents copy");
    for entry in std::fs::read_dir(from).expect("read tests/ui/agents") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy agent file");
    }
}

#[test]
fn invalid_dispatches_and_agent_files_do_not_compile() {
    link_agents(&trybuild_project_dir());
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
