//! Generates one module per Ring agent into `$OUT_DIR/agentbind.rs`.

fn main() {
    if let Err(error) = agentbind_codegen::Builder::new().agents_dir("../corpus/ring").generate() {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
