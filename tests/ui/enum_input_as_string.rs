#[agentbind::agent("agents/incident-responder.md")]
pub mod incident {}

fn main() {
    // severity is an enum: a string is not accepted.
    let _input = incident::Input::new("API down: 500s on /pay", "SEV1");
}
