//! Many dispatches of one agent, run with a concurrency limit.

use agentbind::{Agent, Dispatch};
use futures_util::StreamExt;

use crate::client::ModelClient;
use crate::error::RunError;
use crate::options::RunOptions;
use crate::progress::{Progress, Tracker};
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
    run_all_with_progress(client, dispatches, options, concurrency, |_: &Progress| {}).await
}

/// As [`run_all`], calling `progress` each time a run starts or ends with how many are done,
/// failed and in flight, and the tokens of the runs that ended. `Progress::total` is the
/// number of dispatches when the iterator tells its length (a `Vec`, a slice's `iter`, a `map`
/// over them), and grows with the runs started otherwise.
///
/// The callback runs inside the fan-out's future, between runs: keep it short (draw a bar,
/// send the figures on a channel).
///
/// ```ignore
/// let results = run_all_with_progress(&client, dispatches, RunOptions::default(), 4, |p: &Progress| {
///     eprint!("\r{}/{} done, {} failed, {} tokens", p.done, p.total, p.failed, p.input_tokens + p.output_tokens);
/// })
/// .await;
/// ```
pub async fn run_all_with_progress<A, C, I, F>(
    client: &C,
    dispatches: I,
    options: RunOptions,
    concurrency: usize,
    progress: F,
) -> Vec<Result<Run<A::Output>, RunError>>
where
    A: Agent,
    C: ModelClient + ?Sized,
    I: IntoIterator<Item = Dispatch<A>>,
    Dispatch<A>: RunDispatch<A> + Send,
    F: Fn(&Progress) + Send + Sync,
{
    let dispatches = dispatches.into_iter();
    let tracker = Tracker::new(dispatches.size_hint().0, progress);
    let tracker = &tracker;
    futures_util::stream::iter(dispatches)
        .map(|dispatch| {
            let options = options.clone();
            async move {
                tracker.started();
                let result = dispatch.run(client, options).await;
                tracker.finished(&result);
                result
            }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await
}
