#[agentbind::agent("agents/several-problems.md")]
pub mod agent {}

fn main() {}
