#[agentbind::agent("agents/golang.md")]
pub mod golang {}

#[agentbind::agent("agents/devops-engineer.md")]
pub mod devops {}

fn main() {
    let input = devops::Input::new("Write a Dockerfile", "Gate 0 summary");
    let _dispatch = golang::Agent::dispatch(input);
}
