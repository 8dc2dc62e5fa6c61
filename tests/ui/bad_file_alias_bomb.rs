#[agentbind::agent("agents/alias-bomb.md")]
pub mod agent {}

fn main() {}
