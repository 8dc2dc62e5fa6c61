//! Generates one module per Ring agent into `$OUT_DIR/agentbind.rs`, and one per Claude Code
//! fixture into `$OUT_DIR/claude.rs`.

fn main() {
    let ring = agentbind_codegen::Builder::new().agents_dir("../corpus/ring").generate();
    let claude =
        agentbind_codegen::Builder::new().agents_dir("../claude-agents").file_name("claude.rs").generate();
    for result in [ring.map(drop), claude.map(drop)] {
        if let Err(error) = result {
            eprintln!("{error}");
            std::process::exit(1);
        }
    }
}
