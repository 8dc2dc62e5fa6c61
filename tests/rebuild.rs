//! Rebuild tracking: editing an agent file rebuilds the crate that uses it, through the macro
//! and through the build script, and a field added to the file becomes visible.
//!
//! Each case builds a small crate with `cargo build` (sharing this workspace's target folder).

use std::path::{Path, PathBuf};
use std::process::Command;

const AGENT_V1: &str = "---\nname: tracked\ndescription: An agent whose file is edited.\ninput_schema:\n  required_context:\n    - name: task\n      type: string\n---\nBody\n";
const AGENT_V2: &str = "---\nname: tracked\ndescription: An agent whose file is edited.\ninput_schema:\n  required_context:\n    - name: task\n      type: string\n  optional_context:\n    - name: deadline\n      type: string\n---\nBody\n";

const USES_V1: &str = "let _ = agents::tracked::Input::new(\"t\");";
const USES_V2: &str = "let _ = agents::tracked::Input::new(\"t\").with_deadline(\"friday\");";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes a crate at `dir` whose `agents` module binds `agents/tracked.md`, through the build
/// script or through the macro.
fn write_crate(dir: &Path, name: &str, build_script: bool) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("agents")).unwrap();
    let root = workspace();
    let mut manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\nagentbind = {{ path = {root:?} }}\n"
    );
    if build_script {
        let codegen = root.join("codegen");
        manifest.push_str(&format!("\n[build-dependencies]\nagentbind-codegen = {{ path = {codegen:?} }}\n"));
        let build =
            "fn main() { agentbind_codegen::Builder::new().agents_dir(\"agents\").generate().unwrap(); }\n";
        std::fs::write(dir.join("build.rs"), build).unwrap();
    }
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
}

/// Writes `src/main.rs`: the `agents` module, then `main` running `body`.
fn write_main(dir: &Path, body: &str, build_script: bool) {
    let agents = if build_script {
        "mod agents { agentbind::include_agents!(); }"
    } else {
        "mod agents {\n    #[agentbind::agent(\"agents/tracked.md\")]\n    pub mod tracked {}\n}"
    };
    std::fs::write(
        dir.join("src/main.rs"),
        format!("#![allow(dead_code)]\n{agents}\nfn main() {{ {body} }}\n"),
    )
    .unwrap();
}

fn cargo_build(dir: &Path) -> (bool, String) {
    let output = Command::new(env!("CARGO"))
        .args(["build", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", workspace().join("target").join("rebuild-probe"))
        .output()
        .expect("run cargo");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn edit_rebuilds(build_script: bool) {
    let name = if build_script { "rebuild-probe-build-rs" } else { "rebuild-probe-macro" };
    let dir = workspace().join("target").join(name);
    write_crate(&dir, name, build_script);
    std::fs::write(dir.join("agents/tracked.md"), AGENT_V1).unwrap();
    write_main(&dir, USES_V1, build_script);
    let (ok, stderr) = cargo_build(&dir);
    assert!(ok, "first build fails:\n{stderr}");

    // The new optional input is not there yet.
    write_main(&dir, USES_V2, build_script);
    let (ok, _) = cargo_build(&dir);
    assert!(!ok, "with_deadline exists before the agent file declares it");

    // Editing only the agent file makes it appear.
    std::fs::write(dir.join("agents/tracked.md"), AGENT_V2).unwrap();
    let (ok, stderr) = cargo_build(&dir);
    assert!(ok, "the edit of the agent file was not picked up:\n{stderr}");
}

#[test]
fn editing_the_agent_file_rebuilds_the_macro_path() {
    edit_rebuilds(false);
}

#[test]
fn editing_the_agent_file_rebuilds_the_build_script_path() {
    edit_rebuilds(true);
}
