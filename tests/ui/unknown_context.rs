#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    let input = golang::Input::new("task", "requirements");
    let _dispatch = golang::Agent::dispatch(input).in_context(golang::InvocationContext::DevCycle);
}
