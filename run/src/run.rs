//! `dispatch.run(&client, options)`: a dispatch sent to a model, repaired until its reply
//! meets the contract.

use std::future::Future;
use std::time::Instant;

use agentbind::{Agent, Dispatch};
use futures_core::Stream;

use crate::client::ModelClient;
use crate::error::RunError;
use crate::options::RunOptions;
use crate::report::Run;
use crate::session::{non_empty, RunContract, Session, Step};
use crate::stream::{run_stream, RunEvent};

/// Runs a [`Dispatch`] against a [`ModelClient`]. Import it (`use agentbind_run::RunDispatch`)
/// to call `dispatch.run(&client, options)`.
pub trait RunDispatch<A: Agent> {
    /// Sends the dispatch to the model and checks the reply against the agent's contract; a
    /// reply that breaks it is answered with what is wrong, up to
    /// [`RunOptions::repairs`] times, and a call that fails in a way that may pass (a rate
    /// limit, an overloaded server, a dropped connection, an empty reply) is sent again, up to
    /// [`RunOptions::retries`] times. Gives the typed output and the report of every
    /// attempt, failed calls included, or an error that keeps them.
    ///
    /// Dropping the future cancels the run (and the model call in flight).
    fn run<'a, C: ModelClient + ?Sized>(
        &'a self,
        client: &'a C,
        options: RunOptions,
    ) -> impl Future<Output = Result<Run<A::Output>, RunError>> + Send + 'a;

    /// As [`run`](Self::run), streaming: events as the reply arrives (each section as it
    /// starts and completes, checked by the same scanner as `parse_reply`), then
    /// [`RunEvent::Finished`] with the run. The stream ends after `Finished` or after one
    /// error. A failed call is retried (after [`RunEvent::Retrying`]) only before any of its
    /// reply text was given as [`RunEvent::Text`]; an error after that ends the run.
    fn run_stream<'a, C: ModelClient + ?Sized>(
        &'a self,
        client: &'a C,
        options: RunOptions,
    ) -> impl Stream<Item = Result<RunEvent<A>, RunError>> + Send + 'a;
}

impl<A> RunDispatch<A> for Dispatch<A>
where
    A: Agent,
    Dispatch<A>: Sync,
    A::Output: Send,
    A::Section: Send,
    A::Context: Send,
{
    fn run<'a, C: ModelClient + ?Sized>(
        &'a self,
        client: &'a C,
        options: RunOptions,
    ) -> impl Future<Output = Result<Run<A::Output>, RunError>> + Send + 'a {
        run_to_end(self, client, options)
    }

    fn run_stream<'a, C: ModelClient + ?Sized>(
        &'a self,
        client: &'a C,
        options: RunOptions,
    ) -> impl Stream<Item = Result<RunEvent<A>, RunError>> + Send + 'a {
        run_stream(self, client, options)
    }
}

/// Runs a routed dispatch (from `Registry::route`, `Registry::dispatch` or JSON inputs, of an
/// agent bound at compile time or loaded at run time) as [`RunDispatch::run`] runs a typed
/// one: the same repairs, constraints, report and time limit; the output is the JSON of the
/// agent's `Output`.
#[cfg(feature = "routing")]
pub async fn run_any<C: ModelClient + ?Sized>(
    dispatch: &agentbind::AnyDispatch<'_>,
    client: &C,
    options: RunOptions,
) -> Result<Run<serde_json::Value>, RunError> {
    run_to_end(dispatch, client, options).await
}

async fn run_to_end<D, C>(dispatch: &D, client: &C, options: RunOptions) -> Result<Run<D::Output>, RunError>
where
    D: RunContract,
    C: ModelClient + ?Sized,
{
    let mut session = Session::new(dispatch, client, options);
    let span = session.span().clone();
    span.instrument(drive(&mut session, client)).await
}

/// Calls the model until a reply meets the contract, or the run fails.
async fn drive<D, C>(session: &mut Session<'_, D>, client: &C) -> Result<Run<D::Output>, RunError>
where
    D: RunContract,
    C: ModelClient + ?Sized,
{
    loop {
        session.begin_call();
        let started = Instant::now();
        let call = client.complete(&session.request());
        let completion = match session.before_deadline(call).await {
            Ok(result) => non_empty(result),
            Err(timeout) => return Err(session.fail(timeout)),
        };
        let completion = match completion {
            Ok(completion) => completion,
            Err(failure) => {
                let (error, partial) = *failure;
                let wait = session.record_failure(error, partial, started, true)?;
                session.back_off(wait).await;
                continue;
            }
        };
        let parsed = session.parse(&completion.text);
        match session.record(completion, parsed, started) {
            Step::Done(run) => return Ok(*run),
            Step::Repair(_) => continue,
            Step::Failed(error) => return Err(*error),
        }
    }
}
