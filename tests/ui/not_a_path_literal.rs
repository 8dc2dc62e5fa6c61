#[agentbind::agent(golang)]
pub mod golang {}

fn main() {}
