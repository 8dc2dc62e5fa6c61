#[agentbind::agent("agents/max-turns-text.md")]
pub mod agent {}

fn main() {}
