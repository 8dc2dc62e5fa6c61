//! The state of one run, shared by the whole-reply and the streaming paths: the
//! conversation, the report, the repair and retry budgets and the deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use agentbind::contract::schema::JsonReply;
use agentbind::contract::{GrammarError, GrammarLimits};
#[cfg(feature = "routing")]
use agentbind::AnyDispatch;
use agentbind::{Agent, ClaudeCodeSettings, Dispatch, Model, Normalization, ReplyError, Tool};
use serde_json::Value;

use crate::client::{Completion, Message, ModelClient, ModelRequest};
use crate::error::{ModelError, RunError, RunErrorKind};
use crate::options::{Constraint, ConstraintMode, RunOptions};
use crate::report::{Attempt, Run, RunReport};
use crate::trace::{CallSpan, RunFacts, RunSpan};

/// What a reply did to the run.
pub(crate) enum Step<O> {
    /// It meets the contract: the run is over.
    Done(Box<Run<O>>),
    /// It was refused and a repair request was added to the conversation; the error says why.
    Repair(ReplyError),
    /// It was refused and no repair is left.
    Failed(Box<RunError>),
}

/// What a run needs of a dispatch: a typed [`Dispatch`] (whose output is the agent's
/// `Output`) or a routed [`AnyDispatch`] (whose output is JSON). One session serves both, so
/// routed calls get the same repairs, constraints, report and time limits.
pub(crate) trait RunContract {
    /// What an accepted reply becomes.
    type Output;
    /// The agent's name.
    fn agent_name(&self) -> &str;
    /// The agent's `model`.
    fn model(&self) -> Model<'_>;
    /// The system prompt.
    fn system(&self) -> &str;
    /// The agent's `tools`.
    fn tools(&self) -> &[Tool<'_>];
    /// The agent's other Claude Code keys.
    fn claude_code(&self) -> ClaudeCodeSettings<'_>;
    /// The first message: the prompt, with the reply format when `reply_format`.
    fn first_message(&self, reply_format: bool) -> String;
    /// The reply checked against the contract.
    fn parse(&self, reply: &str) -> Result<Self::Output, ReplyError>;
    /// [`parse`](Self::parse) of a reply given whole: a typed dispatch keeps it without a copy.
    fn parse_owned(&self, reply: String) -> Result<Self::Output, ReplyError> {
        self.parse(&reply)
    }
    /// The reply checked against the contract, near misses read tolerantly.
    fn parse_tolerant(&self, reply: &str) -> Result<(Self::Output, Vec<Normalization>), ReplyError>;
    /// The markdown form of a JSON reply, in its two parts.
    fn read_json(&self, reply: &str) -> Result<JsonReply, ReplyError>;
    /// The reply grammar.
    fn grammar(&self, limits: GrammarLimits) -> Result<String, GrammarError>;
    /// The reply schema, bounded by `bounds` when given.
    fn schema(&self, bounds: Option<GrammarLimits>) -> Option<Value>;
    /// What its grammar and schema are cached under, when they can be ([`crate::cache`]): the
    /// agent's type and the context.
    fn cache_key(&self, limits: Option<GrammarLimits>, schema: bool) -> Option<crate::cache::Key> {
        let _ = (limits, schema);
        None
    }
}

impl<A: Agent> RunContract for Dispatch<A> {
    type Output = A::Output;
    fn agent_name(&self) -> &str {
        A::NAME
    }
    fn model(&self) -> Model<'_> {
        A::MODEL_KIND
    }
    fn system(&self) -> &str {
        A::SYSTEM_PROMPT
    }
    fn tools(&self) -> &[Tool<'_>] {
        A::TOOLS
    }
    fn claude_code(&self) -> ClaudeCodeSettings<'_> {
        A::CLAUDE_CODE
    }
    fn first_message(&self, reply_format: bool) -> String {
        if reply_format {
            self.prompt_with_reply_format()
        } else {
            self.prompt()
        }
    }
    fn parse(&self, reply: &str) -> Result<A::Output, ReplyError> {
        self.parse_reply(reply)
    }
    fn parse_owned(&self, reply: String) -> Result<A::Output, ReplyError> {
        self.parse_reply(reply)
    }
    fn parse_tolerant(&self, reply: &str) -> Result<(A::Output, Vec<Normalization>), ReplyError> {
        self.parse_reply_tolerant(reply)
    }
    fn read_json(&self, reply: &str) -> Result<JsonReply, ReplyError> {
        self.read_json_reply(reply)
    }
    fn grammar(&self, limits: GrammarLimits) -> Result<String, GrammarError> {
        self.reply_grammar_with(limits)
    }
    fn schema(&self, bounds: Option<GrammarLimits>) -> Option<Value> {
        match bounds {
            Some(limits) => self.reply_schema_bounded(limits),
            None => self.reply_schema(),
        }
    }
    fn cache_key(&self, limits: Option<GrammarLimits>, schema: bool) -> Option<crate::cache::Key> {
        use agentbind::ContextKind;
        let context = self.context().map(|c| c.name());
        Some(crate::cache::Key::new(std::any::TypeId::of::<A>(), context, limits, schema))
    }
}

#[cfg(feature = "routing")]
impl RunContract for AnyDispatch<'_> {
    type Output = serde_json::Value;
    fn agent_name(&self) -> &str {
        self.agent().name()
    }
    fn model(&self) -> Model<'_> {
        self.agent().model_kind()
    }
    fn system(&self) -> &str {
        self.agent().system_prompt()
    }
    fn tools(&self) -> &[Tool<'_>] {
        self.agent().tools()
    }
    fn claude_code(&self) -> ClaudeCodeSettings<'_> {
        self.agent().claude_code()
    }
    fn first_message(&self, reply_format: bool) -> String {
        if reply_format {
            self.prompt_with_reply_format()
        } else {
            self.prompt()
        }
    }
    fn parse(&self, reply: &str) -> Result<serde_json::Value, ReplyError> {
        self.parse_reply(reply)
    }
    fn parse_tolerant(&self, reply: &str) -> Result<(Value, Vec<Normalization>), ReplyError> {
        self.parse_reply_tolerant(reply)
    }
    fn read_json(&self, reply: &str) -> Result<JsonReply, ReplyError> {
        self.read_json_reply(reply)
    }
    fn grammar(&self, limits: GrammarLimits) -> Result<String, GrammarError> {
        self.reply_grammar_with(limits)
    }
    fn schema(&self, bounds: Option<GrammarLimits>) -> Option<Value> {
        match bounds {
            Some(limits) => self.reply_schema_bounded(limits),
            None => self.reply_schema(),
        }
    }
}

pub(crate) struct Session<'d, D: RunContract> {
    dispatch: &'d D,
    options: RunOptions,
    /// The reply grammar every attempt is sent with, when the run is constrained and the agent
    /// has one.
    grammar: Option<Arc<str>>,
    /// The reply schema every attempt is sent with, when the run is constrained to JSON.
    schema: Option<Arc<crate::client::JsonSchema>>,
    messages: Vec<Message>,
    report: RunReport,
    started: Instant,
    deadline: Option<Instant>,
    /// The wait before the next call, for its attempt's `backoff`.
    waited: Duration,
    /// Where the backend sends requests, for traces.
    server: Option<(String, Option<u16>)>,
    /// The run's span, and the span of the call under way.
    span: RunSpan,
    call_span: Option<CallSpan>,
}

impl<'d, D: RunContract> Session<'d, D> {
    pub(crate) fn new<C: ModelClient + ?Sized>(dispatch: &'d D, client: &C, options: RunOptions) -> Self {
        let prompt = dispatch.first_message(options.reply_format);
        let started = Instant::now();
        let report = RunReport {
            agent: dispatch.agent_name().to_owned(),
            backend: client.backend().to_owned(),
            model: client.model_id(dispatch.model()),
            ..RunReport::default()
        };
        let deadline = options.timeout.map(|limit| started + limit);
        let grammar = grammar_of(dispatch, client, &options);
        let schema = if grammar.is_none() { schema_of(dispatch, client, &options) } else { None };
        let prompt = match &schema {
            Some(_) if options.reply_format => format!("{}\n\n{JSON_NOTE}", dispatch.first_message(false)),
            Some(_) => dispatch.first_message(false),
            None => prompt,
        };
        let messages = vec![Message::user(prompt)];
        let server = client.server_url().and_then(crate::trace::server_of);
        let mut session = Session {
            dispatch,
            options,
            grammar,
            schema,
            messages,
            report,
            started,
            deadline,
            waited: Duration::ZERO,
            server,
            span: RunSpan::none(),
            call_span: None,
        };
        session.span = RunSpan::new(&session.facts());
        session
    }

    /// What the traces say of this run.
    fn facts(&self) -> RunFacts<'_> {
        RunFacts {
            agent: self.dispatch.agent_name(),
            backend: &self.report.backend,
            model: self.report.model.as_deref(),
            constraint: self.constraint_mode(),
            server: self.server.clone(),
            content: self.options.trace_content,
        }
    }

    /// The run's span.
    pub(crate) fn span(&self) -> &RunSpan {
        &self.span
    }

    /// Opens the span of the next model call.
    pub(crate) fn begin_call(&mut self) {
        let call = self.span.call(&self.facts(), self.attempt_number());
        call.sent(self.dispatch.system(), &self.messages);
        self.call_span = Some(call);
    }

    /// The constraint attempts are made under.
    pub(crate) fn constraint_mode(&self) -> ConstraintMode {
        if self.grammar.is_some() {
            ConstraintMode::Grammar
        } else if self.schema.is_some() {
            ConstraintMode::JsonSchema
        } else {
            ConstraintMode::Off
        }
    }

    pub(crate) fn dispatch(&self) -> &'d D {
        self.dispatch
    }

    /// The request of the next attempt.
    pub(crate) fn request(&self) -> ModelRequest<'_> {
        ModelRequest {
            agent: self.dispatch.agent_name(),
            model: self.dispatch.model(),
            system: self.dispatch.system(),
            messages: &self.messages,
            tools: self.dispatch.tools(),
            claude_code: self.dispatch.claude_code(),
            max_tokens: self.options.max_tokens,
            temperature: self.options.temperature,
            grammar: self.grammar.as_deref(),
            json_schema: self.schema.as_deref(),
        }
    }

    /// Whether a reply whose incremental parse gave `strict` must be parsed again by
    /// [`parse`](Self::parse): a JSON reply always, a refused one when the run is tolerant.
    pub(crate) fn reparses<O>(&self, strict: &Result<O, ReplyError>) -> bool {
        self.schema.is_some() || (self.options.tolerant && strict.is_err())
    }

    /// `text` checked against the contract as this run reads replies: a JSON reply through
    /// its markdown form (kept for the report), near misses tolerantly when the run is
    /// tolerant.
    pub(crate) fn parse(&self, text: &str) -> Parsed<D::Output> {
        if self.schema.is_some() {
            return match self.dispatch.read_json(text) {
                Ok(read) => {
                    let markdown = read.markdown();
                    Parsed {
                        output: self.dispatch.parse_owned(read.sections),
                        markdown: Some(markdown),
                        normalizations: Vec::new(),
                    }
                }
                Err(error) => Parsed::strict(Err(error)),
            };
        }
        if !self.options.tolerant {
            return Parsed::strict(self.dispatch.parse(text));
        }
        match self.dispatch.parse_tolerant(text) {
            Ok((output, normalizations)) => Parsed { output: Ok(output), markdown: None, normalizations },
            Err(error) => Parsed::strict(Err(error)),
        }
    }

    /// 1 for the first attempt, then one more per repair or retry.
    pub(crate) fn attempt_number(&self) -> usize {
        self.report.attempts.len() + 1
    }

    /// Waits for `future`, unless the run's deadline passes first.
    pub(crate) async fn before_deadline<T>(
        &self,
        future: impl std::future::Future<Output = T>,
    ) -> Result<T, RunErrorKind> {
        let future = async {
            match self.deadline {
                None => Ok(future.await),
                Some(deadline) => tokio::time::timeout_at(deadline.into(), future)
                    .await
                    .map_err(|_| RunErrorKind::Timeout(self.options.timeout.unwrap_or_default())),
            }
        };
        match &self.call_span {
            Some(span) => span.instrument(future).await,
            None => future.await,
        }
    }

    /// The attempt of a call that started at `started` and gave `completion` (all of it, or
    /// what arrived before it failed), its text left out; its usage is added to the run's.
    fn attempt(&mut self, completion: Completion, started: Instant) -> (Attempt, String) {
        let Completion { text, usage, model, finish_reason, cost_usd } = completion;
        self.report.usage += usage;
        let cost_usd = cost_usd.or_else(|| {
            let pricing = self.options.pricing.as_ref()?;
            pricing.cost(model.as_deref().or(self.report.model.as_deref())?, &usage)
        });
        let attempt = Attempt {
            request: self.messages.last().map(|m| m.content.clone()).unwrap_or_default(),
            reply: String::new(),
            error: None,
            call_error: None,
            usage,
            latency: started.elapsed(),
            backoff: std::mem::take(&mut self.waited),
            served_model: model,
            finish_reason,
            cost_usd,
            constraint: self.constraint_mode(),
            markdown: None,
            normalizations: Vec::new(),
        };
        (attempt, text)
    }

    /// Records the reply of the attempt that started at `started`, parsed as `parsed`.
    pub(crate) fn record(
        &mut self,
        completion: Completion,
        parsed: Parsed<D::Output>,
        started: Instant,
    ) -> Step<D::Output> {
        let (mut attempt, text) = self.attempt(completion, started);
        let Parsed { output, markdown, normalizations } = parsed;
        attempt.markdown = markdown;
        attempt.normalizations = normalizations;
        match output {
            Ok(output) => {
                attempt.reply = text;
                self.push_attempt(attempt);
                self.report.latency = self.started.elapsed();
                self.span.finish(&self.report, None);
                Step::Done(Box::new(Run { output, report: std::mem::take(&mut self.report) }))
            }
            Err(error) => {
                let mut kept = error.clone();
                kept.take_reply();
                attempt.error = Some(kept);
                attempt.reply = text.clone();
                self.push_attempt(attempt);
                if self.report.repairs() < self.options.repairs as usize {
                    let feedback = match self.schema {
                        Some(_) => json_feedback(&error),
                        None => error.feedback(),
                    };
                    self.messages.push(Message::assistant(text));
                    self.messages.push(Message::user(feedback));
                    Step::Repair(error)
                } else {
                    Step::Failed(Box::new(self.fail(RunErrorKind::Reply(error))))
                }
            }
        }
    }

    /// Records the call that started at `started` and failed with `error`, after giving
    /// `partial` (the text, usage and model that arrived before it failed; an empty reply's
    /// completion). Gives the wait before the retry, or the error that ends the run: when
    /// `error` is not retried (`retry_allowed` off, or not
    /// [`is_retryable`](ModelError::is_retryable)), when no retry is left, or when the wait is
    /// longer than the backoff's `max` or would end past the deadline.
    pub(crate) fn record_failure(
        &mut self,
        error: ModelError,
        partial: Completion,
        started: Instant,
        retry_allowed: bool,
    ) -> Result<Duration, RunError> {
        let (mut attempt, text) = self.attempt(partial, started);
        attempt.reply = text;
        attempt.call_error = Some(error.clone());
        self.push_attempt(attempt);
        let retries = self.report.retries();
        let wait = (retry_allowed && error.is_retryable() && retries < self.options.retries as usize)
            .then(|| self.options.backoff.wait(retries as u32 + 1, error.retry_after()))
            .flatten()
            .filter(|wait| {
                self.deadline.is_none_or(|deadline| {
                    Instant::now().checked_add(*wait).is_some_and(|end| end < deadline)
                })
            });
        match wait {
            Some(wait) => Ok(wait),
            None => Err(self.fail(RunErrorKind::Model(error))),
        }
    }

    /// Waits `wait` before a retry; the next attempt records it.
    pub(crate) async fn back_off(&mut self, wait: Duration) {
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        self.waited = wait;
    }

    /// The error that ends the run, with the report so far.
    pub(crate) fn fail(&mut self, kind: RunErrorKind) -> RunError {
        self.report.latency = self.started.elapsed();
        let error = RunError {
            agent: self.dispatch.agent_name().to_owned(),
            kind,
            report: Box::new(std::mem::take(&mut self.report)),
        };
        self.span.finish(&error.report, Some(&error));
        error
    }

    /// Adds `attempt` to the report, closing its call's span.
    fn push_attempt(&mut self, attempt: Attempt) {
        if let Some(span) = self.call_span.take() {
            span.finish(&attempt);
        }
        self.report.attempts.push(attempt);
    }
}

/// A call's completion, checked before it is parsed: an empty reply is an error of the model.
/// A failure comes with what the call gave (an empty reply's usage and model).
pub(crate) fn non_empty(
    result: Result<Completion, ModelError>,
) -> Result<Completion, Box<(ModelError, Completion)>> {
    match result {
        Ok(completion) if completion.text.trim().is_empty() => {
            let error = ModelError::EmptyReply { finish_reason: completion.finish_reason.clone() };
            Err(Box::new((error, completion)))
        }
        Ok(completion) => Ok(completion),
        Err(error) => Err(Box::new((error, Completion::default()))),
    }
}

/// What the run says of the reply when it is constrained to JSON and the reply format is on.
const JSON_NOTE: &str = "Reply with one JSON object that follows the response's JSON schema: one key per \
     section of your reply (its text in markdown, without the heading line), and `metrics` for the \
     metrics.";

/// A reply checked as the run reads replies ([`Session::parse`]).
pub(crate) struct Parsed<O> {
    /// The output, or why the reply was refused.
    pub(crate) output: Result<O, ReplyError>,
    /// A JSON reply's markdown form.
    pub(crate) markdown: Option<String>,
    /// What the tolerant reading rewrote.
    pub(crate) normalizations: Vec<Normalization>,
}

impl<O> Parsed<O> {
    /// A reply read strictly, as markdown.
    pub(crate) fn strict(output: Result<O, ReplyError>) -> Self {
        Parsed { output, markdown: None, normalizations: Vec::new() }
    }
}

/// The repair request after a JSON reply that `error` refused.
fn json_feedback(error: &ReplyError) -> String {
    let mut out = String::from("Your JSON reply does not meet the contract:\n");
    for problem in error.problems() {
        out.push_str(&format!("- {problem}\n"));
    }
    out.push_str("\nReply again with the complete JSON object, keeping what was right.");
    out
}

/// The reply schema of `dispatch` when `options` constrain the run to JSON (or `Auto` and
/// `client` takes a schema but no grammar of this agent): bounded like the grammar for a
/// server that takes grammars too (llama.cpp's accepts `maxLength` and `maxItems`; strict
/// modes elsewhere do not).
fn schema_of<D: RunContract, C: ModelClient + ?Sized>(
    dispatch: &D,
    client: &C,
    options: &RunOptions,
) -> Option<Arc<crate::client::JsonSchema>> {
    let wanted = match options.constraint {
        Constraint::JsonSchema => true,
        Constraint::Auto => client.supports_json_schema(),
        Constraint::Off | Constraint::Grammar => false,
    };
    if !wanted {
        return None;
    }
    let bounds = client.supports_grammar().then(|| limits_of(options));
    crate::cache::schema(dispatch.cache_key(bounds, true), || dispatch.schema(bounds))
}

/// The grammar's limits for a run: bodies short enough for its token limit, when it has one.
fn limits_of(options: &RunOptions) -> GrammarLimits {
    match options.max_tokens {
        Some(tokens) => GrammarLimits::default().within_tokens(tokens),
        None => GrammarLimits::default(),
    }
}

/// The reply grammar of `dispatch` when `options` constrain the run and `client` can send it:
/// bounded to the run's token limit, when it has one. An agent without a grammar runs
/// unconstrained.
fn grammar_of<D: RunContract, C: ModelClient + ?Sized>(
    dispatch: &D,
    client: &C,
    options: &RunOptions,
) -> Option<Arc<str>> {
    let wanted = match options.constraint {
        Constraint::Off | Constraint::JsonSchema => false,
        Constraint::Grammar => true,
        Constraint::Auto => client.supports_grammar(),
    };
    if !wanted {
        return None;
    }
    let limits = limits_of(options);
    crate::cache::grammar(dispatch.cache_key(Some(limits), false), || dispatch.grammar(limits).ok())
}
