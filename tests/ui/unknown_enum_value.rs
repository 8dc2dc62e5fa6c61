#[agentbind::agent("agents/incident-responder.md")]
pub mod incident {}

fn main() {
    let _severity = incident::Severity::Sev5;
}
