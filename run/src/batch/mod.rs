//! Dispatches run through the providers' batch APIs (feature `batch`): OpenAI's Batch API
//! (with `openai`) and Anthropic's Message Batches (with `anthropic`), at about half the price
//! of single calls, within 24 hours.
//!
//! ```ignore
//! use agentbind_run::batch::{run_batch, BatchOptions};
//!
//! let results = run_batch(&client, &dispatches, RunOptions::default().repairs(2), BatchOptions::default()).await;
//! for result in results {                  // one per dispatch, in input order
//!     let run = result?;                   // typed output and report, or RunError
//! }
//! ```
//!
//! Each dispatch is one request of the batch, named by its `custom_id` (the agent, the
//! dispatch's index, the round and a hash of its prompt). Replies that break the contract go
//! into a repair batch, with the conversation and the feedback, up to
//! [`RunOptions::repairs`] rounds. Requests the provider expired,
//! canceled or failed end as [`RunError`]s with
//! [`ModelError::BatchExpired`],
//! [`BatchCanceled`](crate::ModelError::BatchCanceled) or
//! [`BatchRequestFailed`](crate::ModelError::BatchRequestFailed).
//!
//! Nothing grows with the number of dispatches but the results: the upload is written as the
//! connection takes it, and result files are read one line at a time.
//!
//! For an orchestrator that may restart, [`Batch::submit`] gives the [`BatchId`] to store as
//! soon as the batches exist, and [`BatchProgress::id`] the id after each repair round;
//! [`Batch::resume`] with the same dispatches picks the batch up again.
#![cfg_attr(not(any(feature = "openai", feature = "anthropic")), allow(dead_code))]

pub(crate) mod backend;
mod id;
mod runner;
mod slot;
pub(crate) mod wire;

pub use id::{BatchId, BatchIdError};
pub use runner::Batch;

use std::time::Duration;

use agentbind::{Agent, Dispatch};

use crate::error::{ModelError, RunError, RunErrorKind};
use crate::options::RunOptions;
use crate::progress::Progress;
use crate::report::{Run, RunReport};
use crate::session::RunContract;

/// A client whose API runs batches: `OpenAiCompatible` (OpenAI's Batch API, feature `openai`)
/// and `Anthropic` (Message Batches, feature `anthropic`). Sealed.
pub trait BatchClient: backend::BatchBackend {}

impl<T: backend::BatchBackend> BatchClient for T {}

/// Options of a batch, besides the [`RunOptions`] of each run.
/// `BatchOptions::default()`: a poll every 30 s, batches as large as the API takes, a wait of
/// at most 25 hours, 5 failed polls in a row tolerated.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOptions {
    pub(crate) poll_interval: Duration,
    pub(crate) max_requests: Option<usize>,
    pub(crate) max_bytes: Option<u64>,
    pub(crate) max_wait: Duration,
    pub(crate) poll_failures: u32,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(30),
            max_requests: None,
            max_bytes: None,
            max_wait: Duration::from_secs(25 * 3600),
            poll_failures: 5,
        }
    }
}

impl BatchOptions {
    /// How long to wait between two polls of a batch that is not over.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The most dispatches in one provider batch (at most what the API takes: 50,000 for
    /// OpenAI, 100,000 for Anthropic). More are sent as several batches.
    pub fn max_dispatches_per_batch(mut self, dispatches: usize) -> Self {
        self.max_requests = Some(dispatches.max(1));
        self
    }

    /// The most bytes of one provider batch's upload (at most what the API takes: 200 MB for
    /// OpenAI, 256 MB for Anthropic). The reference agent's requests are about 25 KB each.
    pub fn max_bytes_per_batch(mut self, bytes: u64) -> Self {
        self.max_bytes = Some(bytes);
        self
    }

    /// The longest wait for the whole batch, repair rounds included (default 25 hours: the
    /// APIs' 24-hour window and an hour). Past it, the dispatches not ended fail with
    /// [`RunErrorKind::Timeout`]; the provider's batches go on,
    /// and the batch can be [resumed](Batch::resume) later. A shorter
    /// [`RunOptions::timeout`] bounds it too.
    pub fn max_wait(mut self, limit: Duration) -> Self {
        self.max_wait = limit;
        self
    }

    /// How many polls (or reads of the results) of one provider batch may fail in a row (the
    /// server unreachable, a 5xx) before its dispatches fail with the last error.
    pub fn poll_failures(mut self, failures: u32) -> Self {
        self.poll_failures = failures;
        self
    }
}

/// Requests of the round under way as the provider counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestCounts {
    /// Requests in the round's batches.
    pub total: u64,
    /// Requests that succeeded (their replies may still break the contract).
    pub succeeded: u64,
    /// Requests that failed, expired or were canceled.
    pub failed: u64,
}

/// How a batch is going, given to the progress callback after every poll.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BatchProgress {
    /// Dispatches done, failed and in flight, and the tokens of the replies read so far.
    pub progress: Progress,
    /// The round under way: 0 for the first, then one per repair round.
    pub round: usize,
    /// The round's requests as the provider counts them.
    pub requests: RequestCounts,
    /// The provider's word for the state of the round's batches (`in_progress`,
    /// `finalizing`, `ended`...), of the first that is not over.
    pub status: String,
    /// The batch's id with every round submitted so far: store it to resume after a restart.
    pub id: BatchId,
}

/// Runs `dispatches` as batches of `client`'s API, with repair batches for replies that break
/// the contract, and gives one result per dispatch in input order. A batch that could not be
/// created fails each of its dispatches with the error.
pub async fn run_batch<A, C>(
    client: &C,
    dispatches: &[Dispatch<A>],
    options: RunOptions,
    batch: BatchOptions,
) -> Vec<Result<Run<A::Output>, RunError>>
where
    A: Agent,
    C: BatchClient + ?Sized,
    Dispatch<A>: Sync,
    A::Output: Send,
{
    run_batch_with_progress(client, dispatches, options, batch, |_: &BatchProgress| {}).await
}

/// As [`run_batch`], calling `progress` after every poll and every round.
pub async fn run_batch_with_progress<A, C, F>(
    client: &C,
    dispatches: &[Dispatch<A>],
    options: RunOptions,
    batch: BatchOptions,
    progress: F,
) -> Vec<Result<Run<A::Output>, RunError>>
where
    A: Agent,
    C: BatchClient + ?Sized,
    Dispatch<A>: Sync,
    A::Output: Send,
    F: Fn(&BatchProgress) + Send + Sync,
{
    match Batch::submit(client, dispatches, options.clone(), batch).await {
        Ok(batch) => batch.wait(progress).await,
        Err(error) => failed_all(client, dispatches, error),
    }
}

/// Picks up the batch `id` again (stored from [`Batch::id`] or [`BatchProgress::id`] before a
/// restart) with the same `dispatches`, in the same order, and runs it to the end as
/// [`run_batch`] does: the results of the rounds already over are read again from the
/// provider, then the round under way is polled. A wrong `id` (another backend, another number
/// of dispatches) fails every dispatch with [`ModelError::Config`].
pub async fn resume_batch<A, C, F>(
    client: &C,
    id: &BatchId,
    dispatches: &[Dispatch<A>],
    options: RunOptions,
    batch: BatchOptions,
    progress: F,
) -> Vec<Result<Run<A::Output>, RunError>>
where
    A: Agent,
    C: BatchClient + ?Sized,
    Dispatch<A>: Sync,
    A::Output: Send,
    F: Fn(&BatchProgress) + Send + Sync,
{
    match Batch::resume(client, id, dispatches, options.clone(), batch) {
        Ok(batch) => batch.wait(progress).await,
        Err(error) => failed_all(client, dispatches, error),
    }
}

/// Every dispatch failed with `error` (the batch could not be created, or resumed).
fn failed_all<A: Agent, C: BatchClient + ?Sized, O>(
    client: &C,
    dispatches: &[Dispatch<A>],
    error: ModelError,
) -> Vec<Result<O, RunError>> {
    let model = client.model_id(A::MODEL_KIND);
    dispatches
        .iter()
        .map(|dispatch| {
            Err(RunError {
                agent: dispatch.agent_name().to_owned(),
                kind: RunErrorKind::Model(error.clone()),
                report: Box::new(RunReport {
                    agent: dispatch.agent_name().to_owned(),
                    backend: client.backend().to_owned(),
                    model: model.clone(),
                    ..RunReport::default()
                }),
            })
        })
        .collect()
}
