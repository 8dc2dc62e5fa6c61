#[agentbind::agent("agents/unreadable-frontmatter.md")]
pub mod agent {}

fn main() {}
