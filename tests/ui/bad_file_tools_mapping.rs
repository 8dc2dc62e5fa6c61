#[agentbind::agent("agents/tools-mapping.md")]
pub mod agent {}

fn main() {}
