//! # agentbind-run
//!
//! Runs typed [`agentbind`] dispatches against a model: the dispatch's prompt goes
//! to the model with the agent's system prompt, the reply is checked against the agent's
//! contract, and a reply that breaks it is answered with what is wrong until it is right or
//! the repairs run out. A call that fails in a way that may pass (a rate limit, an overloaded
//! server, a dropped connection, an empty reply) is sent again after a backoff, honouring the
//! server's `Retry-After`, under a limit of its own ([`RunOptions::retries`]); every failed
//! call stays in the report with its latency and error.
//!
//! ```ignore
//! use agentbind_run::{OpenAiCompatible, RunDispatch, RunOptions};
//!
//! let client = OpenAiCompatible::new("http://127.0.0.1:8080/v1", "key")?;
//! let run = golang::Agent::dispatch(input).run(&client, RunOptions::default().repairs(2)).await?;
//! let output: golang::Output = run.output;   // typed, checked
//! println!("{} attempts, {} tokens", run.report.attempts.len(), run.report.usage.total());
//! ```
//!
//! * [`ModelClient`]: the small trait every backend implements (system prompt and messages
//!   in, text and usage out, optionally streamed). Backends, each behind a cargo feature:
//!   `OpenAiCompatible` (`openai`, on by default), `Anthropic` (`anthropic`),
//!   `ClaudeCode` (`claude-code`). HTTPS needs `rustls` or `native-tls`.
//! * [`RunDispatch`]: `dispatch.run(&client, options)` and `dispatch.run_stream(...)`.
//! * [`run_all`]: many dispatches under a concurrency limit, results in input order;
//!   [`Totals`] sums their usage and cost per agent, priced by a [`Pricing`] table.
//!   [`run_all_with_progress`] reports [`Progress`] (done, failed, in flight, tokens) as they go.
//! * `batch::run_batch` (`batch`): dispatches sent through OpenAI's Batch API or Anthropic's
//!   Message Batches, with repair batches, progress while polling, and resume by id.
//! * [`ModelMap`]: which model id each backend is sent for `opus`, `sonnet`, `haiku`,
//!   `inherit` or a full id.
//! * `Recorder` (`record`): records every model call into a folder and replays them
//!   offline, keyed by the agent, its prompt, the messages and the model.
//! * `scripted::ScriptedServer` (`scripted`): an in-process HTTP server that plays
//!   scripted replies, for deterministic tests.
#![deny(missing_docs)]

mod cache;
mod client;
mod error;
mod fanout;
mod models;
mod options;
mod pricing;
mod progress;
mod report;
mod retry;
mod run;
mod session;
mod stream;
mod trace;

#[cfg(feature = "anthropic")]
mod anthropic;
#[cfg(feature = "batch")]
pub mod batch;
#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "claude-code")]
mod claude_code;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "openai")]
mod openai;
#[cfg(feature = "http")]
mod pick;
#[cfg(feature = "record")]
pub mod record;
#[cfg(feature = "scripted")]
pub mod scripted;
#[cfg(feature = "http")]
mod sse;

/// Entry points for the fuzz targets in `fuzz/`: not public API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;

pub use client::{
    BoxFuture, Chunk, ChunkStream, Completion, JsonSchema, Message, ModelClient, ModelRequest, Role, Usage,
};
pub use error::{ModelError, RunError, RunErrorKind, ERROR_BODY_LIMIT};
pub use fanout::{run_all, run_all_with_progress};
pub use models::ModelMap;
pub use options::{Constraint, ConstraintMode, RunOptions};
pub use pricing::{AgentTotals, Price, Pricing, Totals};
pub use progress::Progress;
pub use report::{Attempt, Run, RunReport};
#[cfg(feature = "routing")]
pub use run::run_any;
pub use run::RunDispatch;
pub use stream::RunEvent;

#[cfg(feature = "anthropic")]
pub use anthropic::Anthropic;
#[cfg(feature = "claude-code")]
pub use claude_code::ClaudeCode;
#[cfg(feature = "http")]
pub use http::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT};
#[cfg(feature = "openai")]
pub use openai::OpenAiCompatible;
#[cfg(feature = "record")]
pub use record::{RecordMode, Recorder, RECORD_ENV};
