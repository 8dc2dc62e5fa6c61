#[agentbind::agent("agents/duplicate-section.md")]
pub mod agent {}

fn main() {}
