#[agentbind::agent("agents/quote-to-end.md")]
pub mod agent {}

fn main() {}
