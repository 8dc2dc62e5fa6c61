#[agentbind::agent("agents/broken-yaml.md")]
pub mod agent {}

fn main() {}
