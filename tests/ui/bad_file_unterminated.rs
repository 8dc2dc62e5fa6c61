#[agentbind::agent("agents/unterminated.md")]
pub mod agent {}

fn main() {}
