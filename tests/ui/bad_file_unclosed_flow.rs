#[agentbind::agent("agents/unclosed-flow.md")]
pub mod agent {}

fn main() {}
