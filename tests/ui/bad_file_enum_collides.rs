#[agentbind::agent("agents/enum-collides.md")]
pub mod agent {}

fn main() {}
