#[agentbind::agent("agents/golang.md")]
pub mod golang {}

#[agentbind::agent("agents/code-reviewer.md")]
pub mod reviewer {}

fn main() {
    let dispatch = golang::Agent::dispatch(golang::Input::new("task", "requirements"));
    let _output: Result<reviewer::Output, _> = dispatch.parse_reply("## Summary");
}
