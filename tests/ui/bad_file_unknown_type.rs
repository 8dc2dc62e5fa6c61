#[agentbind::agent("agents/unknown-type.md")]
pub mod agent {}

fn main() {}
