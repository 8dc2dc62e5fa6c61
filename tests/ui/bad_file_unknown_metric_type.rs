#[agentbind::agent("agents/unknown-metric-type.md")]
pub mod agent {}

fn main() {}
