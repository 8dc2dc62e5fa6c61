#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    let input = golang::Input::from(golang::RequiredInput {
        task_description: "task".into(),
        requirements: "requirements".into(),
    });
    let _dispatch = golang::Agent::dispatch(input).in_context(golang::InvocationContext::DevCycle);
}
