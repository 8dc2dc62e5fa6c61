#[agentbind::agent("agents/does-not-exist.md")]
pub mod agent {}

fn main() {}
