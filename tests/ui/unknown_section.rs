#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    let _section = golang::Section::Verdict;
}
