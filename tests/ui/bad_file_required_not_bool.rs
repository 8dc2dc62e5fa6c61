#[agentbind::agent("agents/required-not-bool.md")]
pub mod agent {}

fn main() {}
