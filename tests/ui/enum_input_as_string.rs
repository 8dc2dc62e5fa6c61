#[agentbind::agent("agents/incident-responder.md")]
pub mod incident {}

fn main() {
    // severity is an enum: a string is not accepted.
    let _input = incident::Input::from(incident::RequiredInput {
        incident_description: "API down: 500s on /pay".into(),
        severity: "SEV1",
    });
}
