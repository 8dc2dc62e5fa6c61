#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    // files_changed is an integer.
    let _metrics = golang::Metrics { files_changed: 1.5, ..Default::default() };
}
