#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    // `requirements` is required too: naming the fields does not let one be left out.
    let _input =
        golang::Input::from(golang::RequiredInput { task_description: "Add /health endpoint".into() });
}
