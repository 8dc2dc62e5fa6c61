#![deny(deprecated)]

#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    // Positional arguments follow the file's order of `required_context`: reordering the file
    // would swap these two silently, so `Input::new` with two or more arguments is deprecated.
    let _input = golang::Input::new("Must return 200", "Add /health endpoint");
}
