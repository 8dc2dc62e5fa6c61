#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    let _metrics = golang::Metrics { coverage_total: 1, ..Default::default() };
}
