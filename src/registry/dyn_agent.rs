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
use crate::{ClaudeCodeSettings, Color, ErrorHandling, MetricKind, Model, Requirement, Tool};

/// When a reply section is required, with contexts by name (see [`Requirement`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionRequirement {
    /// Always required.
    Required,
    /// Never required.
    Optional,
    /// Required in these invocation contexts.
    RequiredIn(Vec<&'static str>),
}

/// A reply section of an agent, as a [`DynAgent`] describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionInfo {
    /// The section's name.
    pub name: &'static str,
    /// Its pattern as written in the file.
    pub pattern: &'static str,
    /// Whether every matching line starts another occurrence.
    pub repeated: bool,
    /// The values a value section accepts.
    pub labels: Option<&'static [&'static str]>,
    /// When it is required.
    pub requirement: SectionRequirement,
}

/// Any agent bound at compile time, seen at run time: everything its `Agent` constants give,
/// and (feature `serde`) dispatches from JSON. Get one with [`dyn_agent`], from a
/// [`registry!`](crate::registry!), or from the builder's `AnyAgent::entry()`.
pub trait DynAgent: Sync + 'static {
    /// `name`.
    fn name(&self) -> &'static str;
    /// `description`.
    fn description(&self) -> &'static str;
    /// `model` as written.
    fn model(&self) -> &'static str;
    /// `model`, typed.
    fn model_kind(&self) -> Model;
    /// `version`.
    fn version(&self) -> Option<&'static str>;
    /// `tools`.
    fn tools(&self) -> &'static [Tool];
    /// `color`.
    fn color(&self) -> Option<Color>;
    /// The other Claude Code keys.
    fn claude_code(&self) -> ClaudeCodeSettings;
    /// `error_handling`.
    fn error_handling(&self) -> Option<ErrorHandling>;
    /// The body: the system prompt.
    fn system_prompt(&self) -> &'static str;
    /// The inputs, in file order.
    fn inputs(&self) -> &'static [InputField];
    /// The reply sections, in file order.
    fn sections(&self) -> Vec<SectionInfo>;
    /// The invocation contexts: name and prompt marker.
    fn contexts(&self) -> Vec<(&'static str, Option<&'static str>)>;
    /// The metrics: name and kind.
    fn metrics(&self) -> Vec<(&'static str, MetricKind)>;
    /// A dispatch from JSON `inputs` (an object keyed by the `Input` field names; see
    /// [`input_schema`](DynAgent::input_schema)), with optional free-form `instructions`
    /// and an invocation context by name. Every problem is reported, each naming its field.
    #[cfg(feature = "serde")]
    fn dispatch_json(
        &self,
        inputs: &Value,
        instructions: Option<&str>,
        context: Option<&str>,
    ) -> Result<AnyDispatch, InputError>;

    /// Checks JSON `inputs` (an object keyed by the `Input` field names) against the agent's
    /// inputs: no unknown key, every required input present, every value of its type. Lists
    /// every problem, each naming its field.
    fn check_inputs(&self, inputs: &Value) -> Result<(), InputError> {
        let problems = crate::inputs::check_inputs(inputs, self.inputs());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(InputError { agent: self.name(), problems })
        }
    }

    /// The JSON Schema of the agent's tool arguments: title = the agent's name, description =
    /// its description, one property per input (with the file's description, unescaped),
    /// `instructions` for free-form text (required when the agent has no inputs), and
    /// `invocation_context` when the agent has contexts.
    fn input_schema(&self) -> Value {
        crate::inputs::input_schema(self.name(), self.description(), self.inputs(), &self.contexts())
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

    /// The agent as an Anthropic Messages tool: `{"name", "description", "input_schema"}`.
    fn anthropic_tool(&self) -> Value {
        json!({
            "name": self.tool_name(),
            "description": self.description(),
            "input_schema": self.input_schema(),
        })
    }
}

impl fmt::Debug for dyn DynAgent {
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
    fn name(&self) -> &'static str {
        A::NAME
    }
    fn description(&self) -> &'static str {
        A::DESCRIPTION
    }
    fn model(&self) -> &'static str {
        A::MODEL
    }
    fn model_kind(&self) -> Model {
        A::MODEL_KIND
    }
    fn version(&self) -> Option<&'static str> {
        A::VERSION
    }
    fn tools(&self) -> &'static [Tool] {
        A::TOOLS
    }
    fn color(&self) -> Option<Color> {
        A::COLOR
    }
    fn claude_code(&self) -> ClaudeCodeSettings {
        A::CLAUDE_CODE
    }
    fn error_handling(&self) -> Option<ErrorHandling> {
        A::ERROR_HANDLING
    }
    fn system_prompt(&self) -> &'static str {
        A::SYSTEM_PROMPT
    }
    fn inputs(&self) -> &'static [InputField] {
        A::INPUTS
    }
    fn sections(&self) -> Vec<SectionInfo> {
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
    fn contexts(&self) -> Vec<(&'static str, Option<&'static str>)> {
        A::Context::ALL.iter().map(|c| (c.name(), c.prompt_marker())).collect()
    }
    fn metrics(&self) -> Vec<(&'static str, MetricKind)> {
        <A::Metrics as crate::AgentMetrics>::Metric::ALL.iter().map(|m| (m.name(), m.kind())).collect()
    }
    #[cfg(feature = "serde")]
    fn dispatch_json(
        &self,
        inputs: &Value,
        instructions: Option<&str>,
        context: Option<&str>,
    ) -> Result<AnyDispatch, InputError> {
        super::any_dispatch::dispatch_json::<A>(inputs, instructions, context)
    }
}
