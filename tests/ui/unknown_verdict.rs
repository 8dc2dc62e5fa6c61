#[agentbind::agent("agents/code-reviewer.md")]
pub mod reviewer {}

fn main() {
    let _verdict = reviewer::Verdict::Maybe;
}
