//! Snapshot tests of the generated code (prettyplease-formatted), one agent per archetype, in
//! the configuration the macro and `Builder` use (the file tracked, the prompt a slice of it).
//! The absolute path of the file is shown as `$CARGO_MANIFEST_DIR`.
//! Review changes with `cargo insta review` or `INSTA_UPDATE=always cargo test`.

use std::path::Path;

fn generated(path: &str, module: &str) -> String {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = agentbind_codegen::Options { track_file: true, ..Default::default() };
    let module_code = agentbind_codegen::generate(&manifest.join(path), path, &options)
        .unwrap_or_else(|e| panic!("{path} does not generate:\n{e}"))
        .module_code(module);
    // Replaced before formatting: the line breaks prettyplease chooses must not depend on how
    // long the path of the checkout is.
    let escaped_manifest = format!("{:?}", manifest.to_string_lossy());
    let module_code = module_code.replace(escaped_manifest.trim_matches('"'), "$CARGO_MANIFEST_DIR");
    agentbind_codegen::pretty(&module_code).expect("generated code parses")
}

#[test]
fn implementation_reference_agent() {
    insta::assert_snapshot!(generated("examples/agents/backend-engineer-golang.md", "golang"));
}

#[test]
fn reviewer() {
    insta::assert_snapshot!(generated("tests/corpus/ring/default/agents/code-reviewer.md", "code_reviewer"));
}

#[test]
fn exploration() {
    insta::assert_snapshot!(generated(
        "tests/corpus/ring/default/agents/codebase-explorer.md",
        "codebase_explorer"
    ));
}

#[test]
fn planning() {
    insta::assert_snapshot!(generated("tests/corpus/ring/default/agents/write-plan.md", "write_plan"));
}

#[test]
fn analyst() {
    insta::assert_snapshot!(generated(
        "tests/corpus/ring/dev-team/agents/prompt-quality-reviewer.md",
        "prompt_quality_reviewer"
    ));
}

#[test]
fn enum_inputs_and_metrics() {
    insta::assert_snapshot!(generated(
        "tests/corpus/ring/ops-team/agents/incident-responder.md",
        "incident_responder"
    ));
}
