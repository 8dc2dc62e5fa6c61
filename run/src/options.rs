//! How a run behaves: repairs, retries, the reply-format instructions, time limit, sampling.

use std::time::Duration;

/// How a run asks the server to keep the reply within the contract while it generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Constraint {
    /// No constraint: the reply format and repairs only (the default).
    #[default]
    Off,
    /// The dispatch's reply grammar (`Dispatch::reply_grammar`, GBNF) sent as llama.cpp's
    /// `grammar`: the server cannot write a reply that breaks the contract. For an agent
    /// without a grammar (see its module docs) the run goes on unconstrained, and the report
    /// says so ([`Attempt::constraint`](crate::Attempt::constraint)). A backend that cannot
    /// send grammars fails the call with `ModelError::Config`.
    Grammar,
    /// The dispatch's reply schema (`Dispatch::reply_schema`, a strict JSON Schema) sent as the
    /// backend's structured output (OpenAI-compatible `response_format` `json_schema` with
    /// `strict`, Anthropic's `output_config.format`, Claude Code's `--json-schema`); the JSON
    /// reply is read back into the same typed output (`Dispatch::parse_json_reply`). To a
    /// server that also takes grammars (llama.cpp's), bodies and repeated sections are bounded
    /// as the grammar's are (`maxLength`, `maxItems`). A backend without structured outputs
    /// fails the call with `ModelError::Config`.
    JsonSchema,
    /// The grammar when the backend says it can send one
    /// ([`ModelClient::supports_grammar`](crate::ModelClient::supports_grammar)), else the
    /// reply schema when it takes one
    /// ([`ModelClient::supports_json_schema`](crate::ModelClient::supports_json_schema)), else
    /// none.
    Auto,
}

/// The constraint an attempt was made under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ConstraintMode {
    /// None.
    #[default]
    Off,
    /// The reply grammar.
    Grammar,
    /// The reply schema: the reply is JSON.
    JsonSchema,
}

/// Options of a run. `RunOptions::default()`: one repair, two retries of a failed call
/// (backoff from 500 ms, waits of at most 60 s), the reply format sent up front, no time
/// limit, the backend's own token limit and temperature, no constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    pub(crate) repairs: u32,
    pub(crate) retries: u32,
    pub(crate) backoff: crate::retry::Backoff,
    pub(crate) reply_format: bool,
    pub(crate) tolerant: bool,
    pub(crate) trace_content: bool,
    pub(crate) pricing: Option<std::sync::Arc<crate::pricing::Pricing>>,
    pub(crate) constraint: Constraint,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_tokens: Option<u32>,
    pub(crate) temperature: Option<f32>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            repairs: 1,
            retries: 2,
            backoff: crate::retry::Backoff::default(),
            reply_format: true,
            tolerant: false,
            trace_content: false,
            pricing: None,
            constraint: Constraint::Off,
            timeout: None,
            max_tokens: None,
            temperature: None,
        }
    }
}

impl RunOptions {
    /// After a reply that breaks the contract, continue the conversation with what is wrong
    /// ([`ReplyError::feedback`](agentbind::ReplyError::feedback)) up to `repairs` times.
    pub fn repairs(mut self, repairs: u32) -> Self {
        self.repairs = repairs;
        self
    }

    /// After a model call that failed in a way that may pass (a rate limit, an overloaded
    /// server, a dropped connection, an empty reply: see
    /// [`ModelError::is_retryable`](crate::ModelError::is_retryable)), send the same request
    /// again up to `retries` times in the run (default 2), after a wait
    /// ([`backoff`](Self::backoff)). Retries are counted apart from
    /// [`repairs`](Self::repairs): a refused reply uses a repair, a failed call a retry. Each
    /// failed call is an attempt in the report ([`Attempt::call_error`](crate::Attempt::call_error)).
    ///
    /// A streamed run ([`run_stream`](crate::RunDispatch::run_stream)) retries a call only
    /// before any of its reply text was given to the caller (it sends
    /// [`RunEvent::Retrying`](crate::RunEvent::Retrying) first); an error after that ends the
    /// run.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// How long to wait before a retry: `base` before the first, doubling for each next one,
    /// at most `max`, each wait drawn between half of it and all of it (jitter, so that many
    /// runs refused at once do not come back at once). Defaults: 500 ms and 60 s.
    /// `backoff(Duration::ZERO, max)` retries at once (for tests).
    ///
    /// When the server says how long to wait (`Retry-After`, or `retry-after-ms`), the run
    /// waits that long instead, without jitter. A wait longer than `max`, or one that would end
    /// past the run's [`timeout`](Self::timeout), is not made: the run fails at once with the
    /// error, keeping every attempt.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff = crate::retry::Backoff { base, max };
        self
    }

    /// Whether the first message ends with the reply-format instructions
    /// ([`Dispatch::prompt_with_reply_format`](agentbind::Dispatch::prompt_with_reply_format))
    /// rather than the bare [`prompt`](agentbind::Dispatch::prompt). On by default.
    pub fn reply_format(mut self, send: bool) -> Self {
        self.reply_format = send;
        self
    }

    /// Reads near misses tolerantly (off by default: strict): a reply that lacks a section
    /// only because its heading is one level off, bold, without its colon or in another case
    /// is accepted as `Dispatch::parse_reply_tolerant` reads it, and every rewrite is in the
    /// attempt's [`normalizations`](crate::Attempt::normalizations), never silent.
    pub fn tolerant(mut self, tolerant: bool) -> Self {
        self.tolerant = tolerant;
        self
    }

    /// Prices each attempt that the backend gives no cost of (the HTTP backends give none;
    /// Claude Code reports its own) by `pricing`, from the model id that answered (else the
    /// one requested), so that [`Attempt::cost_usd`](crate::Attempt::cost_usd) and
    /// [`RunReport::cost_usd`](crate::RunReport::cost_usd) hold it.
    pub fn pricing(mut self, pricing: impl Into<std::sync::Arc<crate::pricing::Pricing>>) -> Self {
        self.pricing = Some(pricing.into());
        self
    }

    /// Records the prompt and the reply in the traces' `chat` spans (`gen_ai.input.messages`,
    /// `gen_ai.output.messages`; feature `tracing`). Off by default: prompts and replies may
    /// hold what a trace backend should not keep.
    pub fn trace_content(mut self, record: bool) -> Self {
        self.trace_content = record;
        self
    }

    /// Asks the server to keep every reply within the contract ([`Constraint`]). With a token
    /// limit ([`max_tokens`](Self::max_tokens)), section bodies are bounded so that the whole
    /// reply fits in it (`GrammarLimits::for_tokens`).
    pub fn constrain(mut self, constraint: Constraint) -> Self {
        self.constraint = constraint;
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

    /// The number of retries.
    pub fn retry_limit(&self) -> u32 {
        self.retries
    }
}
