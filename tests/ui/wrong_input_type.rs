#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    // acceptance_criteria is list[string].
    let _input = golang::Input::from(golang::RequiredInput {
        task_description: "task".into(),
        requirements: "requirements".into(),
    })
    .with_acceptance_criteria(42);
}
