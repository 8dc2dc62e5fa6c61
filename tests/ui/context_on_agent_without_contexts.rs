#[agentbind::agent("agents/code-reviewer.md")]
pub mod reviewer {}

fn main() {
    let _dispatch = reviewer::Agent::dispatch(reviewer::Input::new())
        .in_context(reviewer::InvocationContext::DevRefactor);
}
