#[agentbind::agent("agents/golang.md")]
pub mod golang {}

#[agentbind::agent("agents/code-reviewer.md")]
pub mod reviewer {}

fn main() {
    let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "task".into(),
        requirements: "requirements".into(),
    }));
    let _output: Result<reviewer::Output, _> = dispatch.parse_reply("## Summary");
}
