#[agentbind::agent("agents/invalid-regex.md")]
pub mod agent {}

fn main() {}
