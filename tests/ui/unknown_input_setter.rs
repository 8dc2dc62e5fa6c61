#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    let _input = golang::Input::new("task", "requirements").with_deadline("tomorrow");
}
