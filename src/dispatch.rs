//! One typed call of an agent.

use std::fmt;

use crate::agent::{Agent, AgentInput, AgentOutput, ContextKind, SectionKind};
use crate::prompt::PromptBuilder;
use crate::reply::{ReplyError, ReplyProblem, ReplySections, ReplyStr, SectionText};
use crate::scan::{IncrementalScan, ScanEvent};

/// A dispatch of agent `A`: its input and, optionally, the invocation context.
///
/// Built by `Agent::dispatch(input)`; only `A`'s own `Input` is accepted, and only `A`'s own
/// `InvocationContext`.
pub struct Dispatch<A: Agent> {
    input: A::Input,
    context: Option<A::Context>,
    instructions: String,
}

impl<A: Agent> Dispatch<A> {
    /// A dispatch of `input` in no particular context.
    pub fn new(input: A::Input) -> Self {
        Self { input, context: None, instructions: String::new() }
    }

    /// Runs the dispatch in `context`: the prompt starts with the context's marker and
    /// [`parse_reply`](Self::parse_reply) requires the sections that `context` makes required.
    pub fn in_context(mut self, context: A::Context) -> Self {
        self.context = Some(context);
        self
    }

    /// Sets free-form instructions, written into the prompt after the inputs; replaces any
    /// set before (see [`add_instructions`](Self::add_instructions) to append).
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = instructions.into();
        self
    }

    /// Appends `instructions` to those already set, as a paragraph of its own.
    pub fn add_instructions(mut self, instructions: impl AsRef<str>) -> Self {
        let more = instructions.as_ref();
        if !more.is_empty() {
            if !self.instructions.is_empty() {
                let trimmed = self.instructions.trim_end_matches('\n').len();
                self.instructions.truncate(trimmed);
                self.instructions.push_str("\n\n");
            }
            self.instructions.push_str(more);
        }
        self
    }

    /// The free-form instructions (empty when none were set).
    pub fn instructions(&self) -> &str {
        &self.instructions
    }

    /// The input.
    pub fn input(&self) -> &A::Input {
        &self.input
    }

    /// The invocation context, if one was set.
    pub fn context(&self) -> Option<A::Context> {
        self.context
    }

    /// The user prompt to send with [`Agent::SYSTEM_PROMPT`]: the context marker (if any),
    /// every present input under its own heading, then any instructions.
    pub fn prompt(&self) -> String {
        let mut prompt = PromptBuilder::new();
        if let Some(marker) = self.context.and_then(ContextKind::prompt_marker) {
            prompt.marker(marker);
        }
        self.input.render(&mut prompt);
        prompt.text(&self.instructions);
        prompt.finish()
    }

    /// The reply-format instructions for this dispatch: each section's heading line (an
    /// example built from its pattern), whether it is required in this dispatch's context,
    /// and the values a value section accepts. Empty for agents without sections.
    pub fn reply_format(&self) -> String {
        crate::format::reply_format::<A::Section>(self.context.as_ref(), &metric_rows::<A>())
    }

    /// The reply grammar of this dispatch (GBNF, see [`contract::grammar`](crate::contract::grammar)):
    /// every reply that meets the contract in this dispatch's context, for servers with
    /// constrained decoding (llama.cpp's `grammar`). An error says why the agent has none.
    pub fn reply_grammar(&self) -> Result<String, crate::contract::GrammarError> {
        self.reply_grammar_with(crate::contract::GrammarLimits::default())
    }

    /// [`reply_grammar`](Self::reply_grammar) with section bodies bounded by `limits`.
    pub fn reply_grammar_with(
        &self,
        limits: crate::contract::GrammarLimits,
    ) -> Result<String, crate::contract::GrammarError> {
        crate::contract::grammar::reply_grammar(
            crate::format::section_rows::<A::Section>(self.context.as_ref()),
            &metric_rows::<A>(),
            limits,
        )
    }

    /// The JSON Schema of this dispatch's reply as JSON (see
    /// [`contract::schema`](crate::contract::schema)), in the subset that strict structured
    /// outputs accept (OpenAI's `strict`, Anthropic's, Claude Code's `--json-schema`); `None`
    /// for an agent without sections. Read such a reply with
    /// [`parse_json_reply`](Self::parse_json_reply).
    pub fn reply_schema(&self) -> Option<serde_json::Value> {
        self.schema(None)
    }

    /// [`reply_schema`](Self::reply_schema) with bodies and repeated sections bounded by
    /// `limits` (`maxLength`, `maxItems`), for servers that accept those keywords (llama.cpp,
    /// vLLM), so that a model that loops still ends.
    pub fn reply_schema_bounded(&self, limits: crate::contract::GrammarLimits) -> Option<serde_json::Value> {
        self.schema(Some(limits))
    }

    fn schema(&self, bounds: Option<crate::contract::GrammarLimits>) -> Option<serde_json::Value> {
        crate::contract::schema::reply_schema(
            crate::format::section_rows::<A::Section>(self.context.as_ref()),
            &metric_rows::<A>(),
            bounds,
        )
    }

    /// The markdown form of a reply written as JSON of [`reply_schema`](Self::reply_schema):
    /// each section present, in file order, then the metrics as a `## Metrics` block, so that
    /// `Metrics::from_reply` reads them. JSON of another shape is
    /// [`ReplyProblem::InvalidJson`](crate::ReplyProblem::InvalidJson).
    pub fn json_reply_markdown(&self, reply: &str) -> Result<String, ReplyError> {
        self.read_json_reply(reply).map(|read| read.markdown())
    }

    /// [`json_reply_markdown`](Self::json_reply_markdown) in its two parts: the sections and
    /// the metrics block.
    pub fn read_json_reply(&self, reply: &str) -> Result<crate::contract::schema::JsonReply, ReplyError> {
        let rows: Vec<_> = crate::format::section_rows::<A::Section>(self.context.as_ref()).collect();
        crate::contract::schema::markdown_parts(&rows, &metric_rows::<A>(), reply)
            .map(|(sections, metrics)| crate::contract::schema::JsonReply { sections, metrics })
            .map_err(|problem| tag::<A>(ReplyError::new(vec![problem]), reply))
    }

    /// Checks a reply written as JSON of [`reply_schema`](Self::reply_schema) against the
    /// agent's contract, as [`parse_reply`](Self::parse_reply) checks its markdown form
    /// ([`read_json_reply`](Self::read_json_reply): the sections, without the metrics block,
    /// which would otherwise end the last section's body), and returns the typed output.
    pub fn parse_json_reply(&self, reply: &str) -> Result<A::Output, ReplyError> {
        let read = self.read_json_reply(reply)?;
        self.parse_reply(read.sections)
    }

    /// [`prompt`](Self::prompt) followed by [`reply_format`](Self::reply_format): a prompt
    /// that tells the model up front which headings its reply needs.
    pub fn prompt_with_reply_format(&self) -> String {
        let mut prompt = PromptBuilder::new();
        prompt.text(&self.prompt());
        prompt.text(&self.reply_format());
        prompt.finish()
    }

    /// Checks `reply` against the agent's contract and returns the typed output.
    ///
    /// Every section that is required, or required in this dispatch's context, must be present;
    /// the error lists every missing section and every invalid value at once, names the agent
    /// and keeps the reply text. Whether a conditional section is required follows the typed
    /// context only, never the text of the inputs.
    ///
    /// The output keeps the reply once: its section texts are [`ReplyStr`] ranges of it. A
    /// `String` (or a [`ReplyStr`]) is kept without a copy; a `&str` is copied once.
    pub fn parse_reply<R: AsRef<str> + Into<ReplyStr>>(&self, reply: R) -> Result<A::Output, ReplyError> {
        let reply = crate::scan::checked(reply).map_err(|e| tag::<A>(e, ""))?;
        let sections = A::Section::matcher().scan_shared(reply.clone()).map_err(|e| tag::<A>(e, &reply))?;
        typed_output::<A>(self.context.as_ref(), &crate::scan::without_bom(&reply), sections)
    }

    /// [`parse_reply`](Self::parse_reply), tolerant of near misses (opt-in; strict is the
    /// default): when the reply lacks required sections, a line that nearly starts one (a
    /// heading one level off, bold instead of a heading, a missing or extra trailing colon,
    /// another case of a literal heading) is read as that section's heading, and each such
    /// rewrite is returned, never silent. A reply that small rewrites do not make acceptable
    /// gives the strict error.
    pub fn parse_reply_tolerant(
        &self,
        reply: &str,
    ) -> Result<(A::Output, Vec<crate::Normalization>), ReplyError> {
        crate::near_miss::parse_tolerant(reply, A::Section::matcher().patterns(), |reply| {
            self.parse_reply(reply)
        })
    }

    /// An incremental parser of this dispatch's reply: push the text as it arrives, read
    /// section events, and get the same result as [`parse_reply`](Self::parse_reply) on the
    /// whole text at the end.
    pub fn reply_parser(&self) -> ReplyParser<A> {
        ReplyParser { scan: A::Section::matcher().incremental(), context: self.context }
    }
}

/// Each metric of agent `A` with its kind, in file order.
fn metric_rows<A: Agent>() -> Vec<(&'static str, crate::MetricKind)> {
    use crate::metrics::MetricName;
    <A::Metrics as crate::AgentMetrics>::Metric::ALL.iter().map(|m| (m.name(), m.kind())).collect()
}

/// Names the agent in `error` and keeps the reply text (unless it was refused for its size).
fn tag<A: Agent>(error: ReplyError, reply: &str) -> ReplyError {
    error.tagged(A::NAME, reply)
}

/// Checks the sections found in `reply` and builds the typed output.
fn typed_output<A: Agent>(
    context: Option<&A::Context>,
    reply: &str,
    mut sections: ReplySections,
) -> Result<A::Output, ReplyError> {
    let problems = contract_problems::<A::Section>(&sections, context);
    if !problems.is_empty() {
        let error = ReplyError::new(problems).with_found_sections(sections.found_names());
        return Err(tag::<A>(error, reply));
    }
    A::Output::from_reply(reply, &mut sections).map_err(|e| tag::<A>(e, reply))
}

/// Every problem of the reply for a dispatch in `context`: missing required sections, then
/// values outside their labels.
fn contract_problems<S: SectionKind>(
    sections: &ReplySections<'_>,
    context: Option<&S::Context>,
) -> Vec<ReplyProblem> {
    let needs = S::ALL.iter().map(|s| {
        let required = s.requirement().is_required_in(context);
        let because = match s.requirement() {
            crate::Requirement::RequiredIn(_) => context.map(|c| ContextKind::name(*c)),
            _ => None,
        };
        (required, because)
    });
    crate::format::contract_problems(sections, needs)
}

/// A section event of a reply that is still arriving (see [`ReplyParser`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SectionEvent<S> {
    /// The heading line of `section` arrived.
    Started {
        /// The section.
        section: S,
        /// Its heading line.
        heading: String,
    },
    /// `section` ended: the next section started, or the reply ended.
    Completed {
        /// The section.
        section: S,
        /// Its text, as [`Dispatch::parse_reply`] would find it.
        text: SectionText,
    },
}

impl<S: SectionKind> SectionEvent<S> {
    fn typed(event: ScanEvent) -> Self {
        match event {
            ScanEvent::Started { index, heading } => {
                SectionEvent::Started { section: S::ALL[index], heading }
            }
            ScanEvent::Completed { index, text } => SectionEvent::Completed { section: S::ALL[index], text },
        }
    }

    /// The section the event is about.
    pub fn section(&self) -> S {
        match self {
            SectionEvent::Started { section, .. } | SectionEvent::Completed { section, .. } => *section,
        }
    }
}

/// The incremental reply parser of a dispatch (see [`Dispatch::reply_parser`]).
///
/// ```ignore
/// let mut parser = dispatch.reply_parser();
/// for chunk in chunks {
///     for event in parser.push(chunk)? { println!("{event:?}"); }
/// }
/// let finished = parser.finish();   // the last events, the typed output, the text
/// ```
pub struct ReplyParser<A: Agent> {
    scan: IncrementalScan<'static>,
    context: Option<A::Context>,
}

impl<A: Agent> ReplyParser<A> {
    /// Appends `chunk` to the reply; gives the events of the lines it completed. Fails once
    /// the reply is over [`MAX_REPLY_BYTES`](crate::MAX_REPLY_BYTES).
    #[inline]
    pub fn push(&mut self, chunk: &str) -> Result<Events<'_, A::Section>, ReplyError> {
        self.scan.push(chunk).map_err(|e| e.with_agent(A::NAME))?;
        Ok(Events { scan: &mut self.scan, section: std::marker::PhantomData })
    }

    /// The reply received so far.
    pub fn text(&self) -> &str {
        self.scan.text()
    }

    /// Ends the reply: gives the last events (the last line's, and the last section's
    /// completion), the typed output, exactly as [`Dispatch::parse_reply`] gives it for the
    /// whole text, and the text.
    pub fn finish(mut self) -> FinishedReply<A> {
        let sections = self.scan.finish();
        let events = std::iter::from_fn(|| self.scan.next_event()).map(SectionEvent::typed).collect();
        let text = self.scan.into_text();
        let output = match sections {
            Ok(sections) => typed_output::<A>(self.context.as_ref(), &text, sections),
            Err(error) => Err(tag::<A>(error, &text)),
        };
        FinishedReply { events, output, text }
    }
}

/// What [`ReplyParser::finish`] gives.
pub struct FinishedReply<A: Agent> {
    /// The events not given by `push` yet, oldest first.
    pub events: Vec<SectionEvent<A::Section>>,
    /// The typed output, or why the reply breaks the contract.
    pub output: Result<A::Output, ReplyError>,
    /// The whole reply, without a leading byte-order mark.
    pub text: String,
}

impl<A: Agent> fmt::Debug for FinishedReply<A>
where
    A::Section: fmt::Debug,
    A::Output: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FinishedReply")
            .field("events", &self.events)
            .field("output", &self.output)
            .field("text", &self.text)
            .finish()
    }
}

impl<A: Agent> fmt::Debug for ReplyParser<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyParser")
            .field("agent", &A::NAME)
            .field("received", &self.scan.text().len())
            .finish()
    }
}

/// The events of one [`ReplyParser::push`], oldest first.
pub struct Events<'p, S> {
    scan: &'p mut IncrementalScan<'static>,
    section: std::marker::PhantomData<S>,
}

impl<S: SectionKind> Iterator for Events<'_, S> {
    type Item = SectionEvent<S>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.scan.next_event().map(SectionEvent::typed)
    }
}

impl<A: Agent> Clone for Dispatch<A>
where
    A::Input: Clone,
{
    fn clone(&self) -> Self {
        Self { input: self.input.clone(), context: self.context, instructions: self.instructions.clone() }
    }
}

impl<A: Agent> fmt::Debug for Dispatch<A>
where
    A::Input: fmt::Debug,
    A::Context: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatch")
            .field("agent", &A::NAME)
            .field("input", &self.input)
            .field("context", &self.context)
            .field("instructions", &self.instructions)
            .finish()
    }
}
