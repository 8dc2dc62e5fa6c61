//! Runs from code that is not async: each call drives the run on a runtime of its own.

use agentbind::{Agent, Dispatch};

use crate::client::ModelClient;
use crate::error::{ModelError, RunError, RunErrorKind};
use crate::options::RunOptions;
use crate::report::{Run, RunReport};
use crate::run::RunDispatch;

/// Runs `dispatch` against `client` and waits for it, as
/// [`RunDispatch::run`] does. Must not be called from inside an async runtime.
///
/// ```ignore
/// let run = agentbind_run::blocking::run(&dispatch, &client, RunOptions::default())?;
/// ```
pub fn run<A, C>(dispatch: &Dispatch<A>, client: &C, options: RunOptions) -> Result<Run<A::Output>, RunError>
where
    A: Agent,
    C: ModelClient + ?Sized,
    Dispatch<A>: RunDispatch<A>,
{
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| RunError {
            agent: A::NAME.to_owned(),
            kind: RunErrorKind::Model(ModelError::Config(format!("cannot start a runtime: {e}"))),
            report: Box::new(RunReport { agent: A::NAME.to_owned(), ..RunReport::default() }),
        })?;
    runtime.block_on(dispatch.run(client, options))
}
