#[agentbind::agent("agents/background-text.md")]
pub mod agent {}

fn main() {}
