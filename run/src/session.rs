//! The state of one run, shared by the whole-reply and the streaming paths: the
//! conversation, the report, the repair budget and the deadline.

use std::time::Instant;

use agentbind::{Agent, Dispatch, ReplyError};

use crate::client::{Completion, Message, ModelClient, ModelRequest};
use crate::error::{ModelError, RunError, RunErrorKind};
use crate::options::{Constraint, ConstraintMode, RunOptions};
use crate::report::{Attempt, Run, RunReport};

/// What a reply did to the run.
pub(crate) enum Step<O> {
    /// It meets the contract: the run is over.
    Done(Box<Run<O>>),
    /// It was refused and a repair request was added to the conversation; the error says why.
    Repair(ReplyError),
    /// It was refused and no repair is left.
    Failed(Box<RunError>),
}

pub(crate) struct Session<'d, A: Agent> {
    dispatch: &'d Dispatch<A>,
    options: RunOptions,
    /// The reply grammar every attempt is sent with, when the run is constrained and the agent
    /// has one.
    grammar: Option<String>,
    messages: Vec<Message>,
    report: RunReport,
    started: Instant,
    deadline: Option<Instant>,
}

impl<'d, A: Agent> Session<'d, A> {
    pub(crate) fn new<C: ModelClient + ?Sized>(
        dispatch: &'d Dispatch<A>,
        client: &C,
        options: RunOptions,
    ) -> Self {
        let prompt =
            if options.reply_format { dispatch.prompt_with_reply_format() } else { dispatch.prompt() };
        let started = Instant::now();
        let report = RunReport {
            agent: A::NAME,
            backend: client.backend().to_owned(),
            model: client.model_id(A::MODEL_KIND),
            ..RunReport::default()
        };
        let deadline = options.timeout.map(|limit| started + limit);
        let grammar = grammar_of(dispatch, client, &options);
        Self { dispatch, options, grammar, messages: vec![Message::user(prompt)], report, started, deadline }
    }

    /// The constraint attempts are made under.
    pub(crate) fn constraint_mode(&self) -> ConstraintMode {
        if self.grammar.is_some() {
            ConstraintMode::Grammar
        } else {
            ConstraintMode::Off
        }
    }

    pub(crate) fn dispatch(&self) -> &'d Dispatch<A> {
        self.dispatch
    }

    /// The request of the next attempt.
    pub(crate) fn request(&self) -> ModelRequest<'_> {
        ModelRequest {
            agent: A::NAME,
            model: A::MODEL_KIND,
            system: A::SYSTEM_PROMPT,
            messages: &self.messages,
            tools: A::TOOLS,
            claude_code: A::CLAUDE_CODE,
            max_tokens: self.options.max_tokens,
            temperature: self.options.temperature,
            grammar: self.grammar.as_deref(),
        }
    }

    /// 1 for the first attempt, then one more per repair.
    pub(crate) fn attempt_number(&self) -> usize {
        self.report.attempts.len() + 1
    }

    /// Waits for `future`, unless the run's deadline passes first.
    pub(crate) async fn before_deadline<T>(
        &self,
        future: impl std::future::Future<Output = T>,
    ) -> Result<T, RunErrorKind> {
        match self.deadline {
            None => Ok(future.await),
            Some(deadline) => tokio::time::timeout_at(deadline.into(), future)
                .await
                .map_err(|_| RunErrorKind::Timeout(self.options.timeout.unwrap_or_default())),
        }
    }

    /// Records the reply of the attempt that started at `started`, parsed as `parsed`.
    pub(crate) fn record(
        &mut self,
        completion: Completion,
        parsed: Result<A::Output, ReplyError>,
        started: Instant,
    ) -> Step<A::Output> {
        let Completion { text, usage, model, finish_reason, cost_usd } = completion;
        let latency = started.elapsed();
        self.report.usage += usage;
        let request = self.messages.last().map(|m| m.content.clone()).unwrap_or_default();
        let mut attempt = Attempt {
            request,
            reply: String::new(),
            error: None,
            usage,
            latency,
            served_model: model,
            finish_reason,
            cost_usd,
            constraint: self.constraint_mode(),
        };
        match parsed {
            Ok(output) => {
                attempt.reply = text;
                self.report.attempts.push(attempt);
                self.report.latency = self.started.elapsed();
                Step::Done(Box::new(Run { output, report: std::mem::take(&mut self.report) }))
            }
            Err(error) => {
                let mut kept = error.clone();
                kept.take_reply();
                attempt.error = Some(kept);
                attempt.reply = text.clone();
                self.report.attempts.push(attempt);
                if self.report.repairs() < self.options.repairs as usize {
                    let feedback = error.feedback();
                    self.messages.push(Message::assistant(text));
                    self.messages.push(Message::user(feedback));
                    Step::Repair(error)
                } else {
                    Step::Failed(Box::new(self.fail(RunErrorKind::Reply(error))))
                }
            }
        }
    }

    /// The error that ends the run, with the report so far.
    pub(crate) fn fail(&mut self, kind: RunErrorKind) -> RunError {
        self.report.latency = self.started.elapsed();
        RunError { agent: A::NAME, kind, report: Box::new(std::mem::take(&mut self.report)) }
    }
}

/// Checks a completion's text before it is parsed: an empty reply is an error of the model.
pub(crate) fn non_empty(completion: &Completion) -> Result<(), ModelError> {
    if completion.text.trim().is_empty() {
        return Err(ModelError::EmptyReply { finish_reason: completion.finish_reason.clone() });
    }
    Ok(())
}

/// The reply grammar of `dispatch` when `options` constrain the run and `client` can send it:
/// bounded to the run's token limit, when it has one. An agent without a grammar runs
/// unconstrained.
fn grammar_of<A: Agent, C: ModelClient + ?Sized>(
    dispatch: &Dispatch<A>,
    client: &C,
    options: &RunOptions,
) -> Option<String> {
    let wanted = match options.constraint {
        Constraint::Off => false,
        Constraint::Grammar => true,
        Constraint::Auto => client.supports_grammar(),
    };
    if !wanted {
        return None;
    }
    let limits = match options.max_tokens {
        Some(tokens) => agentbind::contract::GrammarLimits::default().within_tokens(tokens),
        None => agentbind::contract::GrammarLimits::default(),
    };
    dispatch.reply_grammar_with(limits).ok()
}
