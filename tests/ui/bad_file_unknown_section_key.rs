#[agentbind::agent("agents/unknown-section-key.md")]
pub mod agent {}

fn main() {}
