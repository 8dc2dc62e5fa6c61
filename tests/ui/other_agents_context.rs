#[agentbind::agent("agents/golang.md")]
pub mod golang {}

#[agentbind::agent("agents/devops-engineer.md")]
pub mod devops {}

fn main() {
    let input = golang::Input::from(golang::RequiredInput {
        task_description: "task".into(),
        requirements: "requirements".into(),
    });
    let _dispatch = golang::Agent::dispatch(input).in_context(devops::InvocationContext::DevRefactor);
}
