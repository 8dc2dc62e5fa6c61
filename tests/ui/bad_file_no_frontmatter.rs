#[agentbind::agent("agents/no-frontmatter.md")]
pub mod agent {}

fn main() {}
