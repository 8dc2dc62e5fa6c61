#[agentbind::agent("agents/duplicate-input.md")]
pub mod agent {}

fn main() {}
