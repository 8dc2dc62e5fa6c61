#[agentbind::agent("agents/unterminated-quote.md")]
pub mod agent {}

fn main() {}
