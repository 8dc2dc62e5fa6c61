//! What a run gives back: the typed output and the report of every attempt.

use std::time::Duration;

use agentbind::ReplyError;

use crate::client::Usage;

/// A run that ended with a reply that meets the agent's contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Run<O> {
    /// The typed, checked output.
    pub output: O,
    /// Every attempt, usage and timing.
    pub report: RunReport,
}

/// How a run went: each attempt with its reply and error, total usage and time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunReport {
    /// The agent's name.
    pub agent: String,
    /// The backend ([`ModelClient::backend`](crate::ModelClient::backend)).
    pub backend: String,
    /// The model id requested (`None`: the backend's default).
    pub model: Option<String>,
    /// Every model call, in order: the first, then one per repair.
    pub attempts: Vec<Attempt>,
    /// Tokens of every attempt together.
    pub usage: Usage,
    /// Wall time of the whole run.
    pub latency: Duration,
}

impl RunReport {
    /// The model id the backend said answered last, when it said.
    pub fn served_model(&self) -> Option<&str> {
        self.attempts.iter().rev().find_map(|a| a.served_model.as_deref())
    }

    /// How many repairs were asked for (attempts after the first).
    pub fn repairs(&self) -> usize {
        self.attempts.len().saturating_sub(1)
    }

    /// What the run cost in US dollars: the sum over the attempts that report a cost
    /// ([`Attempt::cost_usd`]); `None` when none does (the HTTP backends report none).
    pub fn cost_usd(&self) -> Option<f64> {
        self.attempts.iter().filter_map(|a| a.cost_usd).reduce(|total, cost| total + cost)
    }
}

/// One model call of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The message sent: the dispatch's prompt first, then each repair request.
    pub request: String,
    /// The reply text.
    pub reply: String,
    /// Why the reply was refused; `None` for the reply that was accepted. The error does not
    /// keep a second copy of the reply: that is [`Attempt::reply`].
    pub error: Option<ReplyError>,
    /// Tokens of this call.
    pub usage: Usage,
    /// Wall time of this call.
    pub latency: Duration,
    /// The model id the backend said answered, when it said.
    pub served_model: Option<String>,
    /// Why the model stopped, when the backend said.
    pub finish_reason: Option<String>,
    /// What this call cost in US dollars, when the backend said.
    pub cost_usd: Option<f64>,
    /// The constraint the call was made under.
    pub constraint: crate::options::ConstraintMode,
}
