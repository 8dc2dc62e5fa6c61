#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn summary(output: &golang::Output) -> &str {
    output.verdict.body.as_str()
}

fn main() {}
