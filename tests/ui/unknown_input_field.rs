#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    let _input = golang::Input {
        task_description: "task".into(),
        requirements: "requirements".into(),
        existing_code: None,
        acceptance_criteria: None,
        deadline: None,
    };
}
