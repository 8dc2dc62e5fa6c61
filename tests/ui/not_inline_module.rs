#[agentbind::agent("agents/golang.md")]
pub mod golang;

fn main() {}
