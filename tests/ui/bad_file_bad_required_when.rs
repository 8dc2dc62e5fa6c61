#[agentbind::agent("agents/bad-required-when.md")]
pub mod agent {}

fn main() {}
