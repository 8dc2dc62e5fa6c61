//! [`DynAgent`]: every constant of a bound agent behind one object-safe trait, with its tool
//! definitions and (feature `serde`) dispatches from JSON.

use std::fmt;
use std::marker::PhantomData;

use serde_json::{json, Value};

#[cfg(feature = "serde")]
use super::any_dispatch::AnyDispatch;
use crate::agent::{Agent, ContextKind, SectionKind};
use crate::inputs::{InputError, InputField};
use crate::metrics::MetricName;
use crate::reply::ReplyError;
use crate::scan::SectionMatcher;
use crate::{ClaudeCodeSettings, Color, ErrorHandling, MetricKind, Model, Requirement, Tool};

/// When a reply section is required, with contexts by name (see [`Requirement`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionRequirement<'a> {
    /// Always required.
    Required,
    /// Never required.
    Optional,
    /// Required in these invocation contexts.
    RequiredIn(Vec<&'a str>),
}

impl SectionRequirement<'_> {
    /// Whether the section is required in the context named `context` (`None`: no context).
    pub fn is_required_in(&self, context: Option<&str>) -> bool {
        match self {
            SectionRequirement::Required => true,
            SectionRequirement::Optional => false,
            SectionRequirement::RequiredIn(contexts) => context.is_some_and(|c| contexts.contains(&c)),
        }
    }
}

/// A reply section of an agent, as a [`DynAgent`] describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionInfo<'a> {
    /// The section's name.
    pub name: &'a str,
    /// Its pattern as written in the file.
    pub pattern: &'a str,
    /// Whether every matching line starts another occurrence.
    pub repeated: bool,
    /// The values a value section accepts.
    pub labels: Option<&'a [&'a str]>,
    /// When it is required.
    pub requirement: SectionRequirement<'a>,
}

/// Any agent, seen at run time: everything a generated `Agent` gives through its constants,
/// the compiled section patterns, and (feature `serde`) dispatches from JSON.
///
/// Agents bound at compile time are `DynAgent`s through [`dyn_agent`], a
/// [`registry!`](crate::registry!) or the builder's `AnyAgent::entry()`: their data is
/// `'static`. Agents loaded from files at run time (`agentbind-load`) are `DynAgent`s too and
/// lend their own text, so every method borrows from `&self`.
pub trait DynAgent: Send + Sync {
    /// `name`.
    fn name(&self) -> &str;
    /// `description`.
    fn description(&self) -> &str;
    /// `model` as written.
    fn model(&self) -> &str;
    /// `model`, typed.
    fn model_kind(&self) -> Model<'_>;
    /// `version`.
    fn version(&self) -> Option<&str>;
    /// `tools`.
    fn tools(&self) -> &[Tool<'_>];
    /// `color`.
    fn color(&self) -> Option<Color<'_>>;
    /// The other Claude Code keys.
    fn claude_code(&self) -> ClaudeCodeSettings<'_>;
    /// `error_handling`.
    fn error_handling(&self) -> Option<ErrorHandling<'_>>;
    /// The body: the system prompt.
    fn system_prompt(&self) -> &str;
    /// The inputs, in file order.
    fn inputs(&self) -> &[InputField<'_>];
    /// The reply sections, in file order.
    fn sections(&self) -> Vec<SectionInfo<'_>>;
    /// The invocation contexts: name and prompt marker.
    fn contexts(&self) -> Vec<(&str, Option<&str>)>;
    /// The metrics: name and kind.
    fn metrics(&self) -> Vec<(&str, MetricKind)>;
    /// The compiled section patterns (the scanner of `parse_reply`), in the order of
    /// [`sections`](DynAgent::sections).
    fn section_matcher(&self) -> &SectionMatcher<'_>;
    /// A dispatch from JSON `inputs` (an object keyed by the `Input` field names; see
    /// [`input_schema`](DynAgent::input_schema)), with optional free-form `instructions`
    /// and an invocation context by name. Every problem is reported, each naming its field.
    #[cfg(feature = "serde")]
    fn dispatch_json(
        &self,
        inputs: &Value,
        instructions: Option<&str>,
        context: Option<&str>,
    ) -> Result<AnyDispatch<'_>, InputError>;

    /// Checks JSON `inputs` (an object keyed by the `Input` field names) against the agent's
    /// inputs: no unknown key, every required input present, every value of its type. Lists
    /// every problem, each naming its field.
    fn check_inputs(&self, inputs: &Value) -> Result<(), InputError> {
        let problems = crate::inputs::check_inputs(inputs, self.inputs());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(InputError { agent: self.name().to_owned(), problems })
        }
    }

    /// The JSON Schema of the agent's tool arguments: title = the agent's name, description =
    /// its description, one property per input (with the file's description, unescaped),
    /// `instructions` for free-form text (required when the agent has no inputs), and
    /// `invocation_context` when the agent has contexts.
    fn input_schema(&self) -> Value {
        crate::inputs::input_schema(self.name(), self.description(), self.inputs(), &self.contexts())
    }

    /// [`input_schema`](DynAgent::input_schema) in the subset that strict tool calling
    /// accepts: every property required, optional ones nullable (`null` is read as absent).
    /// `None` when an input is a free-form `object`, which a strict schema cannot describe.
    fn input_schema_strict(&self) -> Option<Value> {
        crate::inputs::strict_input_schema(self.input_schema(), self.inputs())
    }

    /// A tool name for the agent that tool-calling APIs accept: its name with every
    /// character outside `[A-Za-z0-9_-]` as `_`, at most 64 characters.
    fn tool_name(&self) -> String {
        tool_name(self.name())
    }

    /// The agent as an OpenAI Chat Completions tool:
    /// `{"type": "function", "function": {"name", "description", "parameters"}}`.
    fn openai_tool(&self) -> Value {
        json!({
            "type": "function",
            "function": {
                "name": self.tool_name(),
                "description": self.description(),
                "parameters": self.input_schema(),
            }
        })
    }

    /// [`openai_tool`](DynAgent::openai_tool) with `"strict": true` and the strict input
    /// schema; `None` when the agent has none ([`input_schema_strict`](DynAgent::input_schema_strict)).
    fn openai_tool_strict(&self) -> Option<Value> {
        let parameters = self.input_schema_strict()?;
        Some(json!({
            "type": "function",
            "function": {
                "name": self.tool_name(),
                "description": self.description(),
                "parameters": parameters,
                "strict": true,
            }
        }))
    }

    /// The agent as an Anthropic Messages tool: `{"name", "description", "input_schema"}`.
    fn anthropic_tool(&self) -> Value {
        json!({
            "name": self.tool_name(),
            "description": self.description(),
            "input_schema": self.input_schema(),
        })
    }
}

#[cfg(feature = "serde")]
impl dyn DynAgent + '_ {
    /// A dispatch from tool-call `arguments`: the inputs, with `instructions` and
    /// `invocation_context` taken out when they are not inputs of the agent (see
    /// [`input_schema`](DynAgent::input_schema)).
    pub fn dispatch_arguments(&self, arguments: &Value) -> Result<AnyDispatch<'_>, InputError> {
        super::any_dispatch::from_arguments(self, arguments)
    }

    /// A dispatch from the prompt of a Task call, read back into inputs as
    /// [`Dispatch::prompt`](crate::Dispatch::prompt) writes them (see [`AnyDispatch`]).
    pub fn dispatch_prompt(&self, prompt: &str) -> Result<AnyDispatch<'_>, InputError> {
        super::any_dispatch::from_prompt(self, prompt)
    }
}

impl dyn DynAgent + '_ {
    /// The invocation context that a prompt written for this agent is in: the context whose
    /// marker (`prompt_contains`) the prompt starts with, as [`Dispatch::prompt`] writes it.
    ///
    /// [`Dispatch::prompt`]: crate::Dispatch::prompt
    pub fn context_of_prompt(&self, prompt: &str) -> Option<&str> {
        context_of_prompt(self, prompt).map(|(name, _)| name)
    }

    /// Checks `reply` against the agent's output contract in the context named `context`:
    /// every section required there, and every value of a value heading, as
    /// [`Dispatch::parse_reply`](crate::Dispatch::parse_reply) checks them, without building
    /// an output. The error names the agent and keeps the reply; its
    /// [`feedback`](ReplyError::feedback) is what a repair turn sends.
    pub fn check_reply(&self, reply: &str, context: Option<&str>) -> Result<(), ReplyError> {
        let tag = |error: ReplyError| error.tagged(self.name(), reply);
        let sections = self.section_matcher().scan(reply).map_err(tag)?;
        let problems = crate::format::contract_problems(&sections, section_needs(self, context));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(tag(ReplyError::new(problems).with_found_sections(sections.found_names())))
        }
    }
}

/// Whether each section of `agent` is required in the context named `context`, and the
/// context that makes it so, in the order of [`DynAgent::sections`].
pub(crate) fn section_needs<'c>(
    agent: &dyn DynAgent,
    context: Option<&'c str>,
) -> Vec<(bool, Option<&'c str>)> {
    agent
        .sections()
        .iter()
        .map(|section| match &section.requirement {
            SectionRequirement::Required => (true, None),
            SectionRequirement::Optional => (false, None),
            conditional => {
                (conditional.is_required_in(context), context.filter(|_| conditional.is_required_in(context)))
            }
        })
        .collect()
}

/// The context whose marker `prompt` starts with (after a byte-order mark and blank space), and
/// the rest of the prompt after the marker.
pub(crate) fn context_of_prompt<'p, 'a>(
    agent: &'a (dyn DynAgent + 'a),
    prompt: &'p str,
) -> Option<(&'a str, &'p str)> {
    let rest = prompt.trim_start_matches('\u{feff}').trim_start();
    agent.contexts().into_iter().find_map(|(name, marker)| {
        let after = rest.strip_prefix(marker?)?;
        (after.is_empty() || after.starts_with(['\n', '\r'])).then_some((name, after))
    })
}

impl fmt::Debug for dyn DynAgent + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynAgent").field("name", &self.name()).finish_non_exhaustive()
    }
}

/// See [`DynAgent::tool_name`].
pub fn tool_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(64)
        .collect()
}

/// `T: serde::de::DeserializeOwned` with the `serde` feature, any `T` without: the bound that
/// dynamic dispatch puts on an agent's `Input`.
#[cfg(feature = "serde")]
pub trait MaybeDeserialize: serde::de::DeserializeOwned {}
#[cfg(feature = "serde")]
impl<T: serde::de::DeserializeOwned> MaybeDeserialize for T {}
/// `T: serde::de::DeserializeOwned` with the `serde` feature, any `T` without: the bound that
/// dynamic dispatch puts on an agent's `Input`.
#[cfg(not(feature = "serde"))]
pub trait MaybeDeserialize {}
#[cfg(not(feature = "serde"))]
impl<T> MaybeDeserialize for T {}

/// `T: serde::Serialize` with the `serde` feature, any `T` without: the bound that dynamic
/// dispatch puts on an agent's `Output`.
#[cfg(feature = "serde")]
pub trait MaybeSerialize: serde::Serialize {}
#[cfg(feature = "serde")]
impl<T: serde::Serialize> MaybeSerialize for T {}
/// `T: serde::Serialize` with the `serde` feature, any `T` without: the bound that dynamic
/// dispatch puts on an agent's `Output`.
#[cfg(not(feature = "serde"))]
pub trait MaybeSerialize {}
#[cfg(not(feature = "serde"))]
impl<T> MaybeSerialize for T {}

/// An [`Agent`] that can be seen as a [`DynAgent`]: its `Input` can be deserialized and its
/// `Output` serialized (with the `serde` feature), and both travel between threads. Every
/// generated agent is one; the bounds are written here once.
pub trait RoutableAgent:
    Agent<Input: MaybeDeserialize + Send + Sync, Output: MaybeSerialize, Context: Send + Sync>
{
}

impl<A> RoutableAgent for A where
    A: Agent<Input: MaybeDeserialize + Send + Sync, Output: MaybeSerialize, Context: Send + Sync>
{
}

/// The [`DynAgent`] of agent `A`: a zero-sized value (see [`dyn_agent`]).
pub struct AgentRef<A>(PhantomData<fn() -> A>);

impl<A> AgentRef<A>
where
    A: RoutableAgent,
{
    /// `A` as a [`DynAgent`].
    pub const DYN: &'static dyn DynAgent = &AgentRef::<A>(PhantomData);
}

/// Agent `A` as a [`DynAgent`], in a `const` context too.
pub const fn dyn_agent<A>() -> &'static dyn DynAgent
where
    A: RoutableAgent,
{
    AgentRef::<A>::DYN
}

impl<A> DynAgent for AgentRef<A>
where
    A: RoutableAgent,
{
    fn name(&self) -> &str {
        A::NAME
    }
    fn description(&self) -> &str {
        A::DESCRIPTION
    }
    fn model(&self) -> &str {
        A::MODEL
    }
    fn model_kind(&self) -> Model<'_> {
        A::MODEL_KIND
    }
    fn version(&self) -> Option<&str> {
        A::VERSION
    }
    fn tools(&self) -> &[Tool<'_>] {
        A::TOOLS
    }
    fn color(&self) -> Option<Color<'_>> {
        A::COLOR
    }
    fn claude_code(&self) -> ClaudeCodeSettings<'_> {
        A::CLAUDE_CODE
    }
    fn error_handling(&self) -> Option<ErrorHandling<'_>> {
        A::ERROR_HANDLING
    }
    fn system_prompt(&self) -> &str {
        A::SYSTEM_PROMPT
    }
    fn inputs(&self) -> &[InputField<'_>] {
        A::INPUTS
    }
    fn section_matcher(&self) -> &SectionMatcher<'_> {
        A::Section::matcher()
    }
    fn sections(&self) -> Vec<SectionInfo<'_>> {
        A::Section::ALL
            .iter()
            .map(|section| {
                let pattern = &A::Section::PATTERNS[section.index()];
                SectionInfo {
                    name: pattern.name,
                    pattern: pattern.pattern,
                    repeated: pattern.repeated,
                    labels: pattern.labels,
                    requirement: match section.requirement() {
                        Requirement::Required => SectionRequirement::Required,
                        Requirement::Optional => SectionRequirement::Optional,
                        Requirement::RequiredIn(contexts) => {
                            SectionRequirement::RequiredIn(contexts.iter().map(|c| c.name()).collect())
                        }
                    },
                }
            })
            .collect()
    }
    fn contexts(&self) -> Vec<(&str, Option<&str>)> {
        A::Context::ALL.iter().map(|c| (c.name(), c.prompt_marker())).collect()
    }
    fn metrics(&self) -> Vec<(&str, MetricKind)> {
        <A::Metrics as crate::AgentMetrics>::Metric::ALL.iter().map(|m| (m.name(), m.kind())).collect()
    }
    #[cfg(feature = "serde")]
    fn dispatch_json(
        &self,
        inputs: &Value,
        instructions: Option<&str>,
        context: Option<&str>,
    ) -> Result<AnyDispatch<'_>, InputError> {
        super::any_dispatch::dispatch_json::<A>(inputs, instructions, context)
    }
}
