#[agentbind::agent("agents/pattern-too-large.md")]
pub mod agent {}

fn main() {}
