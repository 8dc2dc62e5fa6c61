#![allow(deprecated)]

#[agentbind::agent("agents/golang.md")]
pub mod golang {}

fn main() {
    // `requirements` is required too.
    let _input = golang::Input::new("Add /health endpoint");
}
