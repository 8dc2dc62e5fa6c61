#[agentbind::agent("agents/required-when-without-optional.md")]
pub mod agent {}

fn main() {}
