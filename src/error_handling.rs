//! `output_schema.error_handling`: what an agent does when it is blocked.

use std::fmt;

/// The typed `error_handling` block of an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorHandling {
    /// `on_blocker`: what the agent does on a blocker.
    pub on_blocker: OnBlocker,
    /// `escalation_path`: who the agent escalates to.
    pub escalation_path: EscalationPath,
}

impl ErrorHandling {
    /// The block of `on_blocker` and `escalation_path`.
    pub const fn new(on_blocker: OnBlocker, escalation_path: EscalationPath) -> Self {
        ErrorHandling { on_blocker, escalation_path }
    }
}

/// `error_handling.on_blocker`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnBlocker {
    /// `pause_and_report`: stop and report the blocker in the reply.
    PauseAndReport,
    /// Any other value, as written in the file.
    Other(&'static str),
}

impl OnBlocker {
    /// The value as written in the file.
    pub const fn as_str(self) -> &'static str {
        match self {
            OnBlocker::PauseAndReport => "pause_and_report",
            OnBlocker::Other(s) => s,
        }
    }
}

/// `error_handling.escalation_path`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EscalationPath {
    /// `orchestrator`: the calling orchestrator handles escalations.
    Orchestrator,
    /// Any other value, as written in the file.
    Other(&'static str),
}

impl EscalationPath {
    /// The value as written in the file.
    pub const fn as_str(self) -> &'static str {
        match self {
            EscalationPath::Orchestrator => "orchestrator",
            EscalationPath::Other(s) => s,
        }
    }
}

impl fmt::Display for OnBlocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for EscalationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
