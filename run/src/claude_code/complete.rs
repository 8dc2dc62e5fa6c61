//! A whole call (`--output-format json`): the child run to its end, its result read, the
//! session it kept remembered.

use super::call::{Attempt, Call};
use super::child::BODY_LIMIT;
use super::result::{completion, result_error, SessionOf};
use super::sessions::NO_SESSION;
use super::ClaudeCode;
use crate::client::{Completion, Role};
use crate::error::ModelError;

impl ClaudeCode {
    /// Runs `call` to its end: its whole output, then the exit.
    pub(super) async fn complete_call(&self, call: Call) -> Result<Completion, ModelError> {
        let Call { attempt, fallback, key } = call;
        let (outcome, attempt) = match (self.run_whole(&attempt).await, fallback) {
            (Err(ModelError::Process { message, .. }), Some(fallback)) if message.contains(NO_SESSION) => {
                self.sessions.forget(attempt.resumed.as_ref());
                (self.run_whole(&fallback).await, fallback)
            }
            (outcome, _) => (outcome, attempt),
        };
        let (mut completion, session) = outcome?;
        completion.cost_usd = session.cost_usd.map(|total| attempt.cost_of(total));
        if let (Some(mut key), Some(id)) = (key, session.id) {
            key.message(Role::Assistant, &completion.text);
            self.sessions.remember(key.finish(), id, session.cost_usd);
        }
        Ok(completion)
    }

    async fn run_whole(&self, attempt: &Attempt) -> Result<(Completion, SessionOf), ModelError> {
        let mut child = self.spawn(attempt)?;
        // Past the limit, the call fails at once (and the child is killed when dropped),
        // rather than leaving it blocked on a full pipe.
        while child.read_more().await? {
            if child.out.len() > BODY_LIMIT {
                return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
            }
        }
        let (status, stderr) = child.finish().await?;
        let out = std::mem::take(&mut child.out);
        if !status.success() {
            let message = if stderr.is_empty() { result_error(&out) } else { stderr };
            return Err(ModelError::Process { program: child.program, code: status.code(), message });
        }
        completion(&child.program, &out)
    }
}
