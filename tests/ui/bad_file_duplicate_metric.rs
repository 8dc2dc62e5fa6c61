#[agentbind::agent("agents/duplicate-metric.md")]
pub mod agent {}

fn main() {}
