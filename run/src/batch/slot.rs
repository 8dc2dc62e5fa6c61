//! Where each dispatch of a batch is: waiting for its result, waiting for a repair round, or
//! ended; and what a result does to it, by the same rules as a run's session: the reply
//! checked against the contract, a reply that breaks it answered with its feedback while
//! repairs are left, every attempt in the report.

use std::time::Duration;

use crate::client::{Completion, Message, ModelRequest};
use crate::error::{ModelError, RunError, RunErrorKind};
use crate::options::{ConstraintMode, RunOptions};
use crate::report::{Attempt, Run, RunReport};
use crate::session::{non_empty, RunContract};

/// The attempts of a dispatch that goes on to another round, and the message that round
/// sends.
pub(crate) struct Pending {
    pub(crate) report: RunReport,
    /// The feedback on the last reply.
    pub(crate) feedback: String,
}

/// One dispatch of a batch.
pub(crate) enum Slot<O> {
    /// Sent in the round under way; holds the attempts of the rounds before it.
    Waiting(Option<Box<Pending>>),
    /// Its reply broke the contract and repairs are left: it goes into the next round.
    Repair(Box<Pending>),
    /// Ended with a typed output.
    Done(Box<Run<O>>),
    /// Ended with an error.
    Failed(Box<RunError>),
}

impl<O> Slot<O> {
    pub(crate) fn is_waiting(&self) -> bool {
        matches!(self, Slot::Waiting(_))
    }
}

/// What every slot's report shares.
pub(crate) struct Context<'a> {
    pub(crate) backend: &'a str,
    pub(crate) model: Option<String>,
    pub(crate) options: &'a RunOptions,
    /// Wall time of the round so far: each attempt's latency.
    pub(crate) round: Duration,
    /// Wall time of the batch so far: each run's latency.
    pub(crate) batch: Duration,
}

impl Context<'_> {
    fn report<D: RunContract>(&self, dispatch: &D) -> RunReport {
        RunReport {
            agent: dispatch.agent_name().to_owned(),
            backend: self.backend.to_owned(),
            model: self.model.clone(),
            ..RunReport::default()
        }
    }
}

/// The conversation a dispatch sends in its next round: the first message, then each reply
/// and the feedback on it.
pub(crate) fn conversation<D: RunContract>(
    dispatch: &D,
    pending: Option<&Pending>,
    reply_format: bool,
) -> Vec<Message> {
    let Some(pending) = pending else { return vec![Message::user(dispatch.first_message(reply_format))] };
    let mut messages = Vec::with_capacity(pending.report.attempts.len() * 2 + 1);
    for attempt in &pending.report.attempts {
        messages.push(Message::user(attempt.request.clone()));
        messages.push(Message::assistant(attempt.reply.clone()));
    }
    messages.push(Message::user(pending.feedback.clone()));
    messages
}

/// The model request of a dispatch with `messages`: no grammar, since the batch APIs take
/// none.
pub(crate) fn request<'a, D: RunContract>(
    dispatch: &'a D,
    messages: &'a [Message],
    options: &RunOptions,
) -> ModelRequest<'a> {
    ModelRequest {
        agent: dispatch.agent_name(),
        model: dispatch.model(),
        system: dispatch.system(),
        messages,
        tools: dispatch.tools(),
        claude_code: dispatch.claude_code(),
        max_tokens: options.max_tokens,
        temperature: options.temperature,
        grammar: None,
        json_schema: None,
    }
}

/// The slot after a dispatch's result: `pending` holds its earlier attempts.
pub(crate) fn record<D: RunContract>(
    dispatch: &D,
    pending: Option<Box<Pending>>,
    outcome: Result<Completion, ModelError>,
    context: &Context<'_>,
) -> Slot<D::Output> {
    let (mut report, request) = match pending {
        Some(pending) => (pending.report, pending.feedback),
        None => (context.report(dispatch), dispatch.first_message(context.options.reply_format)),
    };
    let completion = match non_empty(outcome) {
        Ok(completion) => completion,
        Err(failure) => return fail(dispatch, report, RunErrorKind::Model(failure.0), context),
    };
    let parsed = dispatch.parse(&completion.text);
    let Completion { text, usage, model, finish_reason, cost_usd } = completion;
    report.usage += usage;
    let mut attempt = Attempt {
        request,
        reply: text,
        error: None,
        usage,
        latency: context.round,
        served_model: model,
        finish_reason,
        cost_usd,
        constraint: ConstraintMode::Off,
        call_error: None,
        backoff: std::time::Duration::ZERO,
        markdown: None,
        normalizations: Vec::new(),
    };
    match parsed {
        Ok(output) => {
            report.attempts.push(attempt);
            report.latency = context.batch;
            Slot::Done(Box::new(Run { output, report }))
        }
        Err(error) => {
            let mut kept = error.clone();
            kept.take_reply();
            attempt.error = Some(kept);
            report.attempts.push(attempt);
            if report.repairs() < context.options.repairs as usize {
                Slot::Repair(Box::new(Pending { report, feedback: error.feedback() }))
            } else {
                fail(dispatch, report, RunErrorKind::Reply(error), context)
            }
        }
    }
}

/// The slot of a dispatch that ends with `kind`.
pub(crate) fn fail<D: RunContract, O>(
    dispatch: &D,
    report: RunReport,
    kind: RunErrorKind,
    context: &Context<'_>,
) -> Slot<O> {
    Slot::Failed(Box::new(error(dispatch, report, kind, context)))
}

/// The error of a dispatch that ends with `kind`, keeping its attempts.
pub(crate) fn error<D: RunContract>(
    dispatch: &D,
    mut report: RunReport,
    kind: RunErrorKind,
    context: &Context<'_>,
) -> RunError {
    report.latency = context.batch;
    RunError { agent: dispatch.agent_name().to_owned(), kind, report: Box::new(report) }
}

/// The error of a waiting dispatch that ends with `kind` (no result, a failed batch, the time
/// limit).
pub(crate) fn waiting_error<D: RunContract>(
    dispatch: &D,
    pending: Option<Box<Pending>>,
    kind: RunErrorKind,
    context: &Context<'_>,
) -> RunError {
    let report = match pending {
        Some(pending) => pending.report,
        None => context.report(dispatch),
    };
    error(dispatch, report, kind, context)
}
