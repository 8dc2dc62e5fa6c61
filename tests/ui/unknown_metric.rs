#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    let _metric = golang::Metric::CoverageTotal;
}
