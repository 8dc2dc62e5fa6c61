//! The streaming run: events as the reply arrives.

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use agentbind::{Agent, Dispatch, FinishedReply, ReplyError, ReplyParser, SectionEvent, SectionText};
use futures_core::Stream;
use futures_util::StreamExt;

use crate::client::{Chunk, ChunkStream, Completion, ModelClient, Usage};
use crate::error::{ModelError, RunError, RunErrorKind};
use crate::options::RunOptions;
use crate::report::Run;
use crate::session::{Session, Step};

/// What a streaming run reports, in order: for each attempt `AttemptStarted`, `Text` and
/// section events as the reply arrives, then `Repairing` (and the next attempt) or
/// `Finished`.
pub enum RunEvent<A: Agent> {
    /// Attempt `attempt` (1 for the first, then one per repair) was sent.
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
}

enum Phase<'a, A: Agent> {
    Send,
    Receive(Box<Receiving<'a, A>>),
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
            state.step().await;
        }
    })
}

impl<'a, A: Agent, C: ModelClient + ?Sized> State<'a, A, C> {
    /// Moves the run on by one model call or one chunk, queueing what it reports.
    async fn step(&mut self) {
        match std::mem::replace(&mut self.phase, Phase::Over) {
            Phase::Send => self.send().await,
            Phase::Receive(receiving) => self.receive(receiving).await,
            Phase::Over => {}
        }
    }

    async fn send(&mut self) {
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
                }));
            }
            Ok(Err(error)) => self.fail(RunErrorKind::Model(error)),
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
                    self.pending.push_back(Ok(RunEvent::Text(text)));
                    self.pending.extend(events);
                }
                Err(_) => {
                    return self.fail(RunErrorKind::Model(ModelError::TooLarge {
                        limit: agentbind::MAX_REPLY_BYTES,
                    }))
                }
            },
            Some(Ok(Chunk::Usage(usage))) => receiving.usage += usage,
            Some(Ok(Chunk::Model(model))) => receiving.model = Some(model),
            Some(Ok(Chunk::CostUsd(cost))) => {
                receiving.cost_usd = Some(receiving.cost_usd.map_or(cost, |total| total + cost))
            }
            Some(Ok(Chunk::Finished { reason })) => receiving.finished = Some(reason),
            Some(Err(error)) => return self.fail(RunErrorKind::Model(error)),
            None => return self.complete(*receiving),
        }
        self.phase = Phase::Receive(receiving);
    }

    /// The chunk stream ended: checks that the reply is whole, then parses it.
    fn complete(&mut self, receiving: Receiving<'a, A>) {
        let Receiving { parser, usage, model, cost_usd, finished, started, .. } = receiving;
        let Some(finish_reason) = finished else {
            let received = parser.text().len();
            let message = "the stream ended before the model said it had finished".to_owned();
            return self.fail(RunErrorKind::Model(ModelError::StreamCut { received, message }));
        };
        if parser.text().trim().is_empty() {
            return self.fail(RunErrorKind::Model(ModelError::EmptyReply { finish_reason }));
        }
        let FinishedReply { events, output, text } = parser.finish();
        self.pending.extend(events.into_iter().map(RunEvent::from).map(Ok));
        let completion = Completion { text, usage, model, finish_reason, cost_usd };
        match self.session.record(completion, output, started) {
            Step::Done(run) => self.pending.push_back(Ok(RunEvent::Finished(run))),
            Step::Repair(error) => {
                self.pending.push_back(Ok(RunEvent::Repairing { error }));
                self.phase = Phase::Send;
            }
            Step::Failed(error) => self.pending.push_back(Err(*error)),
        }
    }

    fn fail(&mut self, kind: RunErrorKind) {
        self.pending.push_back(Err(self.session.fail(kind)));
        self.phase = Phase::Over;
    }
}
