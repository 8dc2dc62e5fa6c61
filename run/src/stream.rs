//! The streaming run: events as the reply arrives.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use agentbind::{Agent, Dispatch, FinishedReply, ReplyError, ReplyParser, SectionEvent, SectionText};
use futures_core::Stream;
use futures_util::StreamExt;

use crate::client::{Chunk, ChunkStream, Completion, ModelClient, Usage};
use crate::error::{ModelError, RunError, RunErrorKind};
use crate::options::RunOptions;
use crate::report::Run;
use crate::session::{Parsed, Session, Step};

/// What a streaming run reports, in order: for each attempt `AttemptStarted`, `Text` and
/// section events as the reply arrives, then `Repairing` (and the next attempt) or
/// `Finished`. A call that fails before any of its text arrived gives `Retrying` (and the
/// next attempt) when it is retried.
pub enum RunEvent<A: Agent> {
    /// Attempt `attempt` (1 for the first, then one per repair or retry) was sent: the server
    /// accepted it and its reply is arriving.
    AttemptStarted {
        /// Its number.
        attempt: usize,
    },
    /// More reply text arrived.
    Text(String),
    /// A section's heading line arrived.
    SectionStarted {
        /// The section.
        section: A::Section,
        /// Its heading line.
        heading: String,
    },
    /// A section is complete (the next one started, or the reply ended).
    SectionCompleted {
        /// The section.
        section: A::Section,
        /// Its text, as `parse_reply` finds it.
        text: SectionText,
    },
    /// The reply broke the contract; a repair request was sent and a new attempt follows.
    Repairing {
        /// What was wrong with the reply.
        error: ReplyError,
    },
    /// Model call `attempt` failed before any of its reply text was given as
    /// [`Text`](Self::Text), with an error that is retried
    /// ([`RunOptions::retries`](crate::RunOptions::retries)): the same request is sent again
    /// after `wait`.
    Retrying {
        /// The number of the call that failed.
        attempt: usize,
        /// Why it failed.
        error: ModelError,
        /// How long the run waits before the next call.
        wait: Duration,
    },
    /// The reply meets the contract: the run, as [`run`](crate::RunDispatch::run) gives it.
    Finished(Box<Run<A::Output>>),
}

impl<A: Agent> fmt::Debug for RunEvent<A>
where
    A::Section: fmt::Debug,
    A::Output: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunEvent::AttemptStarted { attempt } => {
                f.debug_struct("AttemptStarted").field("attempt", attempt).finish()
            }
            RunEvent::Text(text) => f.debug_tuple("Text").field(text).finish(),
            RunEvent::SectionStarted { section, heading } => {
                f.debug_struct("SectionStarted").field("section", section).field("heading", heading).finish()
            }
            RunEvent::SectionCompleted { section, text } => {
                f.debug_struct("SectionCompleted").field("section", section).field("text", text).finish()
            }
            RunEvent::Repairing { error } => f.debug_struct("Repairing").field("error", error).finish(),
            RunEvent::Retrying { attempt, error, wait } => f
                .debug_struct("Retrying")
                .field("attempt", attempt)
                .field("error", error)
                .field("wait", wait)
                .finish(),
            RunEvent::Finished(run) => f.debug_tuple("Finished").field(run).finish(),
        }
    }
}

impl<A: Agent> From<SectionEvent<A::Section>> for RunEvent<A> {
    fn from(event: SectionEvent<A::Section>) -> Self {
        match event {
            SectionEvent::Started { section, heading } => RunEvent::SectionStarted { section, heading },
            SectionEvent::Completed { section, text } => RunEvent::SectionCompleted { section, text },
        }
    }
}

/// One attempt whose reply is arriving.
struct Receiving<'a, A: Agent> {
    chunks: ChunkStream<'a>,
    parser: ReplyParser<A>,
    usage: Usage,
    model: Option<String>,
    cost_usd: Option<f64>,
    finished: Option<Option<String>>,
    started: Instant,
    /// Whether a `Text` event of this attempt was given: past it, a failure is not retried.
    text_sent: bool,
    /// Text that is all whitespace so far, given with the first text that is not (an empty
    /// reply gives no `Text` event, and so can be retried).
    held: String,
}

impl<A: Agent> Receiving<'_, A> {
    /// What arrived before a failure.
    fn partial(&self) -> Completion {
        Completion {
            text: self.parser.text().to_owned(),
            usage: self.usage,
            model: self.model.clone(),
            finish_reason: self.finished.clone().flatten(),
            cost_usd: self.cost_usd,
        }
    }
}

enum Phase<'a, A: Agent> {
    Send,
    Receive(Box<Receiving<'a, A>>),
    /// Waiting before a retry.
    Wait(Duration),
    Over,
}

struct State<'a, A: Agent, C: ?Sized> {
    session: Session<'a, Dispatch<A>>,
    client: &'a C,
    phase: Phase<'a, A>,
    pending: VecDeque<Result<RunEvent<A>, RunError>>,
}

pub(crate) fn run_stream<'a, A, C>(
    dispatch: &'a Dispatch<A>,
    client: &'a C,
    options: RunOptions,
) -> impl Stream<Item = Result<RunEvent<A>, RunError>> + Send + 'a
where
    A: Agent,
    Dispatch<A>: Sync,
    A::Output: Send,
    A::Section: Send,
    A::Context: Send,
    C: ModelClient + ?Sized,
{
    let state = State {
        session: Session::new(dispatch, client, options),
        client,
        phase: Phase::Send,
        pending: VecDeque::new(),
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(event) = state.pending.pop_front() {
                return Some((event, state));
            }
            if matches!(state.phase, Phase::Over) {
                return None;
            }
            let span = state.session.span().clone();
            span.instrument(state.step()).await;
        }
    })
}

impl<'a, A: Agent, C: ModelClient + ?Sized> State<'a, A, C> {
    /// Moves the run on by one model call or one chunk, queueing what it reports.
    async fn step(&mut self) {
        match std::mem::replace(&mut self.phase, Phase::Over) {
            Phase::Send => self.send().await,
            Phase::Receive(receiving) => self.receive(receiving).await,
            Phase::Wait(wait) => {
                self.session.back_off(wait).await;
                self.phase = Phase::Send;
            }
            Phase::Over => {}
        }
    }

    async fn send(&mut self) {
        self.session.begin_call();
        let attempt = self.session.attempt_number();
        let started = Instant::now();
        let call = self.client.stream(&self.session.request());
        match self.session.before_deadline(call).await {
            Ok(Ok(chunks)) => {
                self.pending.push_back(Ok(RunEvent::AttemptStarted { attempt }));
                self.phase = Phase::Receive(Box::new(Receiving {
                    chunks,
                    parser: self.session.dispatch().reply_parser(),
                    usage: Usage::default(),
                    model: None,
                    cost_usd: None,
                    finished: None,
                    started,
                    text_sent: false,
                    held: String::new(),
                }));
            }
            Ok(Err(error)) => self.failed(error, Completion::default(), started, true),
            Err(timeout) => self.fail(timeout),
        }
    }

    async fn receive(&mut self, mut receiving: Box<Receiving<'a, A>>) {
        let next = match self.session.before_deadline(receiving.chunks.next()).await {
            Ok(next) => next,
            Err(timeout) => return self.fail(timeout),
        };
        match next {
            Some(Ok(Chunk::Text(text))) => match receiving.parser.push(&text) {
                Ok(events) => {
                    let events: Vec<_> = events.map(RunEvent::from).map(Ok).collect();
                    if receiving.text_sent || !text.trim().is_empty() {
                        receiving.text_sent = true;
                        let text = std::mem::take(&mut receiving.held) + &text;
                        self.pending.push_back(Ok(RunEvent::Text(text)));
                    } else {
                        receiving.held.push_str(&text);
                    }
                    self.pending.extend(events);
                }
                Err(_) => {
                    let error = ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES };
                    return self.failed(error, receiving.partial(), receiving.started, false);
                }
            },
            Some(Ok(Chunk::Usage(usage))) => receiving.usage += usage,
            Some(Ok(Chunk::Model(model))) => receiving.model = Some(model),
            Some(Ok(Chunk::CostUsd(cost))) => {
                receiving.cost_usd = Some(receiving.cost_usd.map_or(cost, |total| total + cost))
            }
            Some(Ok(Chunk::Finished { reason })) => receiving.finished = Some(reason),
            Some(Err(error)) => {
                let retry_allowed = !receiving.text_sent;
                return self.failed(error, receiving.partial(), receiving.started, retry_allowed);
            }
            None => return self.complete(*receiving),
        }
        self.phase = Phase::Receive(receiving);
    }

    /// The chunk stream ended: checks that the reply is whole, then parses it.
    fn complete(&mut self, receiving: Receiving<'a, A>) {
        let Some(finish_reason) = receiving.finished.clone() else {
            let received = receiving.parser.text().len();
            let message = "the stream ended before the model said it had finished".to_owned();
            let error = ModelError::StreamCut { received, message };
            return self.failed(error, receiving.partial(), receiving.started, !receiving.text_sent);
        };
        if receiving.parser.text().trim().is_empty() {
            let error = ModelError::EmptyReply { finish_reason };
            return self.failed(error, receiving.partial(), receiving.started, true);
        }
        let Receiving { parser, usage, model, cost_usd, started, .. } = receiving;
        let FinishedReply { events, output, text } = parser.finish();
        self.pending.extend(events.into_iter().map(RunEvent::from).map(Ok));
        let parsed =
            if self.session.reparses(&output) { self.session.parse(&text) } else { Parsed::strict(output) };
        let completion = Completion { text, usage, model, finish_reason, cost_usd };
        match self.session.record(completion, parsed, started) {
            Step::Done(run) => self.pending.push_back(Ok(RunEvent::Finished(run))),
            Step::Repair(error) => {
                self.pending.push_back(Ok(RunEvent::Repairing { error }));
                self.phase = Phase::Send;
            }
            Step::Failed(error) => self.pending.push_back(Err(*error)),
        }
    }

    /// A call that failed: `Retrying`, then the wait and the next attempt, when it is retried;
    /// else the end of the run.
    fn failed(&mut self, error: ModelError, partial: Completion, started: Instant, retry_allowed: bool) {
        let attempt = self.session.attempt_number();
        match self.session.record_failure(error.clone(), partial, started, retry_allowed) {
            Ok(wait) => {
                self.pending.push_back(Ok(RunEvent::Retrying { attempt, error, wait }));
                self.phase = Phase::Wait(wait);
            }
            Err(error) => {
                self.pending.push_back(Err(error));
                self.phase = Phase::Over;
            }
        }
    }

    fn fail(&mut self, kind: RunErrorKind) {
        self.pending.push_back(Err(self.session.fail(kind)));
        self.phase = Phase::Over;
    }
}
