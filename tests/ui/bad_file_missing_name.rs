#[agentbind::agent("agents/missing-name.md")]
pub mod agent {}

fn main() {}
