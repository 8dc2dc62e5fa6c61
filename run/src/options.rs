//! How a run behaves: repairs, the reply-format instructions, time limit, sampling.

use std::time::Duration;

/// Options of a run. `RunOptions::default()`: one repair, the reply format sent up front,
/// no time limit, the backend's own token limit and temperature.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    pub(crate) repairs: u32,
    pub(crate) reply_format: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_tokens: Option<u32>,
    pub(crate) temperature: Option<f32>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self { repairs: 1, reply_format: true, timeout: None, max_tokens: None, temperature: None }
    }
}

impl RunOptions {
    /// After a reply that breaks the contract, continue the conversation with what is wrong
    /// ([`ReplyError::feedback`](agentbind::ReplyError::feedback)) up to `repairs` times.
    pub fn repairs(mut self, repairs: u32) -> Self {
        self.repairs = repairs;
        self
    }

    /// Whether the first message ends with the reply-format instructions
    /// ([`Dispatch::prompt_with_reply_format`](agentbind::Dispatch::prompt_with_reply_format))
    /// rather than the bare [`prompt`](agentbind::Dispatch::prompt). On by default.
    pub fn reply_format(mut self, send: bool) -> Self {
        self.reply_format = send;
        self
    }

    /// The most time the whole run (every attempt) may take; past it the run fails with
    /// [`RunErrorKind::Timeout`](crate::RunErrorKind::Timeout), keeping the attempts done.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// The most tokens each reply may have.
    pub fn max_tokens(mut self, tokens: u32) -> Self {
        self.max_tokens = Some(tokens);
        self
    }

    /// Sampling temperature.
    pub fn temperature(mut self, temperature: f32) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// The number of repairs.
    pub fn repair_limit(&self) -> u32 {
        self.repairs
    }
}
