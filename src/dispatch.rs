//! One typed call of an agent.

use std::fmt;

use crate::agent::{Agent, AgentInput, AgentOutput, ContextKind, SectionKind};
use crate::prompt::PromptBuilder;
use crate::reply::ReplyError;

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

    /// Adds free-form instructions, written into the prompt after the inputs.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = instructions.into();
        self
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

    /// Checks `reply` against the agent's contract and returns the typed output.
    ///
    /// Every section that is required, or required in this dispatch's context, must be present;
    /// the error lists every missing section and every invalid value at once. Whether a
    /// conditional section is required follows the typed context only, never the text of the
    /// inputs.
    pub fn parse_reply(&self, reply: &str) -> Result<A::Output, ReplyError> {
        let mut sections = A::Section::matcher().scan(reply)?;
        let problems = sections.problems::<A::Section>(self.context.as_ref());
        if !problems.is_empty() {
            return Err(ReplyError::new(problems));
        }
        A::Output::from_reply(reply.strip_prefix('\u{feff}').unwrap_or(reply), &mut sections)
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
