#[agentbind::agent("agents/unknown-list-type.md")]
pub mod agent {}

fn main() {}
