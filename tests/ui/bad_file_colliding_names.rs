#[agentbind::agent("agents/colliding-names.md")]
pub mod agent {}

fn main() {}
