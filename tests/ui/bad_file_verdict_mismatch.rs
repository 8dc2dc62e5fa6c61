#[agentbind::agent("agents/verdict-mismatch.md")]
pub mod agent {}

fn main() {}
