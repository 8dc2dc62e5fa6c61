//! Many dispatches of one agent, run with a concurrency limit.

use agentbind::{Agent, Dispatch};
use futures_util::StreamExt;

use crate::client::ModelClient;
use crate::error::RunError;
use crate::options::RunOptions;
use crate::report::Run;
use crate::run::RunDispatch;

/// Runs every dispatch against `client`, at most `concurrency` at a time (at least one), and
/// gives one result per dispatch in input order: a failed run is an `Err` in its place and
/// does not stop the others. Each run follows `options` (its time limit is per dispatch).
///
/// Dropping the future cancels the runs in flight and starts no more.
///
/// ```ignore
/// let results = agentbind_run::run_all(&client, dispatches, RunOptions::default(), 4).await;
/// ```
pub async fn run_all<A, C, I>(
    client: &C,
    dispatches: I,
    options: RunOptions,
    concurrency: usize,
) -> Vec<Result<Run<A::Output>, RunError>>
where
    A: Agent,
    C: ModelClient + ?Sized,
    I: IntoIterator<Item = Dispatch<A>>,
    Dispatch<A>: RunDispatch<A> + Send,
{
    futures_util::stream::iter(dispatches)
        .map(|dispatch| {
            let options = options.clone();
            async move { dispatch.run(client, options).await }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await
}
