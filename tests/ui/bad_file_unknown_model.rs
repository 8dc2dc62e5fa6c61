#[agentbind::agent("agents/unknown-model.md")]
pub mod agent {}

fn main() {}
