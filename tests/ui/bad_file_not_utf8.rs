#[agentbind::agent("agents/not-utf8.md")]
pub mod agent {}

fn main() {}
