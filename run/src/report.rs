//! What a run gives back: the typed output and the report of every attempt.

use std::time::Duration;

use agentbind::{AgentMetrics, FilledMetrics, MetricsError, Normalization, ReplyError};

use crate::client::Usage;
use crate::error::ModelError;

/// A run that ended with a reply that meets the agent's contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Run<O> {
    /// The typed, checked output.
    pub output: O,
    /// Every attempt, usage and timing.
    pub report: RunReport,
}

impl<O> Run<O> {
    /// The accepted reply in its markdown form (a JSON reply's markdown form): what
    /// [`metrics`](Self::metrics) reads.
    pub fn reply(&self) -> &str {
        self.report.attempts.last().map_or("", |a| a.markdown.as_deref().unwrap_or(&a.reply))
    }

    /// The metrics of the accepted reply, as `Metrics::from_reply` reads them
    /// (`run.metrics::<golang::Metrics>()`): the `## Metrics` block, or a JSON reply's
    /// `metrics` object.
    pub fn metrics<M: AgentMetrics>(&self) -> Result<FilledMetrics<M>, MetricsError> {
        agentbind::parse_metrics(self.reply())
    }
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
    /// Every model call, in order: the first, then one per repair or retry. A call that
    /// failed is here too, with its latency and [`Attempt::call_error`].
    pub attempts: Vec<Attempt>,
    /// Tokens of every attempt together.
    pub usage: Usage,
    /// Wall time of the whole run, waits before retries included.
    pub latency: Duration,
}

impl RunReport {
    /// The model id the backend said answered last, when it said.
    pub fn served_model(&self) -> Option<&str> {
        self.attempts.iter().rev().find_map(|a| a.served_model.as_deref())
    }

    /// How many repairs were asked for: the attempts whose reply was refused and that another
    /// attempt followed.
    pub fn repairs(&self) -> usize {
        self.followed(|attempt| attempt.error.is_some())
    }

    /// How many failed calls were retried: the attempts with a
    /// [`call_error`](Attempt::call_error) that another attempt followed.
    pub fn retries(&self) -> usize {
        self.followed(|attempt| attempt.call_error.is_some())
    }

    /// The attempts but the last that `which` picks.
    fn followed(&self, which: impl Fn(&Attempt) -> bool) -> usize {
        let before_last = self.attempts.len().saturating_sub(1);
        self.attempts[..before_last].iter().filter(|attempt| which(attempt)).count()
    }

    /// The model calls that failed, retried or not.
    pub fn failed_calls(&self) -> impl Iterator<Item = &Attempt> {
        self.attempts.iter().filter(|attempt| attempt.call_error.is_some())
    }

    /// What the run cost in US dollars: the sum over the attempts that have a cost
    /// ([`Attempt::cost_usd`]); `None` when none has (the HTTP backends report none: give the
    /// run a [`Pricing`](crate::Pricing)).
    pub fn cost_usd(&self) -> Option<f64> {
        self.attempts.iter().filter_map(|a| a.cost_usd).reduce(|total, cost| total + cost)
    }
}

/// One model call of a run: a reply that was accepted or refused, or a call that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The last message sent: the dispatch's prompt first, then each repair request (a retry
    /// sends the same messages again).
    pub request: String,
    /// The reply text (of a failed streamed call, the text that arrived before it failed).
    pub reply: String,
    /// Why the reply was refused; `None` for the reply that was accepted and for a call that
    /// failed. The error does not keep a second copy of the reply: that is
    /// [`Attempt::reply`].
    pub error: Option<ReplyError>,
    /// Why the call failed (an HTTP error status, a dropped connection, an empty reply...);
    /// `None` when it gave a reply. The run retries such calls
    /// ([`RunOptions::retries`](crate::RunOptions::retries)) when the error
    /// [`is_retryable`](ModelError::is_retryable).
    pub call_error: Option<ModelError>,
    /// Tokens of this call (of a failed call, what the server reported before it failed).
    pub usage: Usage,
    /// Wall time of this call, from the request to the reply or the failure.
    pub latency: Duration,
    /// How long the run waited before this call: the backoff of a retry, or the wait the
    /// server asked for (`Retry-After`); zero for the first call and for repairs.
    pub backoff: Duration,
    /// The model id the backend said answered, when it said.
    pub served_model: Option<String>,
    /// Why the model stopped, when the backend said.
    pub finish_reason: Option<String>,
    /// What this call cost in US dollars: what the backend said (Claude Code's
    /// `total_cost_usd`, counted for this call), else the run's
    /// [`Pricing`](crate::Pricing) of its usage, when it prices the model.
    pub cost_usd: Option<f64>,
    /// The constraint the call was made under.
    pub constraint: crate::options::ConstraintMode,
    /// For a JSON reply ([`ConstraintMode::JsonSchema`](crate::ConstraintMode::JsonSchema)),
    /// its markdown form, which the contract was checked on; `None` otherwise.
    pub markdown: Option<String>,
    /// The heading lines that the tolerant reading rewrote to accept the reply
    /// ([`RunOptions::tolerant`](crate::RunOptions::tolerant)); empty when none was.
    pub normalizations: Vec<Normalization>,
}
