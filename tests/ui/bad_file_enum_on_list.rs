#[agentbind::agent("agents/enum-on-list.md")]
pub mod agent {}

fn main() {}
