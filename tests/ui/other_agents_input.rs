#[agentbind::agent("agents/golang.md")]
pub mod golang {}

#[agentbind::agent("agents/devops-engineer.md")]
pub mod devops {}

fn main() {
    let input = devops::Input::from(devops::RequiredInput {
        task_description: "Write a Dockerfile".into(),
        implementation_summary: "Gate 0 summary".into(),
    });
    let _dispatch = golang::Agent::dispatch(input);
}
