#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn blockers(output: &golang::Output) -> &str {
    // Blockers is optional: it is an Option.
    output.blockers.body.as_str()
}

fn main() {}
