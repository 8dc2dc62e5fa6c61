#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    // acceptance_criteria is list[string].
    let _input = golang::Input::new("task", "requirements").with_acceptance_criteria(42);
}
