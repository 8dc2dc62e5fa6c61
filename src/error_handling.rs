//! `output_schema.error_handling`: what an agent does when it is blocked.

/// The typed `error_handling` block of an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ErrorHandling<'a> {
    /// `on_blocker`: what the agent does on a blocker.
    pub on_blocker: OnBlocker<'a>,
    /// `escalation_path`: who the agent escalates to.
    pub escalation_path: EscalationPath<'a>,
}

impl<'a> ErrorHandling<'a> {
    /// The block of `on_blocker` and `escalation_path`.
    pub const fn new(on_blocker: OnBlocker<'a>, escalation_path: EscalationPath<'a>) -> Self {
        ErrorHandling { on_blocker, escalation_path }
    }
}

agentbind_vocab::on_blocker_values!(open_word_enum
    /// `error_handling.on_blocker`.
    OnBlocker, Other, "Any other value, as written in the file.";
);

agentbind_vocab::escalation_path_values!(open_word_enum
    /// `error_handling.escalation_path`.
    EscalationPath, Other, "Any other value, as written in the file.";
);
