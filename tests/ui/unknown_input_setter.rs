#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    let _input = golang::Input::from(golang::RequiredInput {
        task_description: "task".into(),
        requirements: "requirements".into(),
    })
    .with_deadline("tomorrow");
}
