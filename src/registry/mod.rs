//! Agents known at run time, for orchestrators that route by name:
//!
//! - [`dyn_agent`]: a dynamic view of any bound agent ([`DynAgent`]) and its tool definitions;
//! - [`any_dispatch`] (feature `serde`): dispatches built from JSON ([`AnyDispatch`]), which
//!   hold a `&dyn DynAgent` as `DynAgent::dispatch_json` returns one (the two are one unit);
//! - this module: [`Registry`], a set of agents by name, and [`registry!`](crate::registry!).

#[cfg(feature = "serde")]
pub(crate) mod any_dispatch;
#[cfg(feature = "serde")]
mod data_dispatch;
mod dyn_agent;

use std::fmt;

use serde_json::Value;

#[cfg(feature = "serde")]
pub use data_dispatch::{data_dispatch, OutputField};
pub use dyn_agent::{
    dyn_agent, tool_name, AgentRef, DynAgent, MaybeDeserialize, MaybeSerialize, RoutableAgent, SectionInfo,
    SectionRequirement,
};

/// A set of agents to route by name: what [`registry!`](crate::registry!) and the builder's
/// `AnyAgent::registry()` give.
#[derive(Clone, Copy)]
pub struct Registry {
    agents: &'static [&'static dyn DynAgent],
}

impl Registry {
    /// A registry of `agents`.
    pub const fn new(agents: &'static [&'static dyn DynAgent]) -> Self {
        Self { agents }
    }

    /// Every agent, in the order given.
    pub const fn agents(&self) -> &'static [&'static dyn DynAgent] {
        self.agents
    }

    /// The agent whose `name` (or [`tool_name`](DynAgent::tool_name)) is `name`.
    pub fn get(&self, name: &str) -> Option<&'static dyn DynAgent> {
        let found = self.agents.iter().find(|a| a.name() == name);
        found.or_else(|| self.agents.iter().find(|a| a.tool_name() == name)).copied()
    }

    /// The names of the agents.
    pub fn names(&self) -> Vec<&'static str> {
        self.agents.iter().map(|a| a.name()).collect()
    }

    /// [`names`](Self::names), owned, as [`RouteError::UnknownAgent`] lists them.
    fn known(&self) -> Vec<String> {
        self.agents.iter().map(|a| a.name().to_owned()).collect()
    }

    /// Every agent as an OpenAI tool ([`DynAgent::openai_tool`]), as a JSON array.
    pub fn openai_tools(&self) -> Value {
        self.agents.iter().map(|a| a.openai_tool()).collect()
    }

    /// Every agent as an Anthropic tool ([`DynAgent::anthropic_tool`]), as a JSON array.
    pub fn anthropic_tools(&self) -> Value {
        self.agents.iter().map(|a| a.anthropic_tool()).collect()
    }

    /// The agent `name` (or its tool name), or an error that lists the known names.
    pub fn agent(&self, name: &str) -> Result<&'static dyn DynAgent, RouteError> {
        self.get(name).ok_or_else(|| RouteError::UnknownAgent { name: name.to_owned(), known: self.known() })
    }

    /// A dispatch from tool-call `arguments` for agent `name` (or its tool name): the inputs,
    /// with `instructions` and `invocation_context` taken out when they are not inputs of the
    /// agent (see [`DynAgent::input_schema`]).
    #[cfg(feature = "serde")]
    pub fn dispatch(&self, name: &str, arguments: &Value) -> Result<AnyDispatch<'static>, RouteError> {
        Ok(self.agent(name)?.dispatch_arguments(arguments)?)
    }

    /// The dispatch that a Task tool call asks for: the agent named by `subagent_type`, with
    /// the inputs read back from `prompt` (see [`AnyDispatch`] for how).
    #[cfg(feature = "serde")]
    pub fn route(&self, call: &crate::TaskCall) -> Result<AnyDispatch<'static>, RouteError> {
        Ok(self.agent(&call.subagent_type)?.dispatch_prompt(&call.prompt)?)
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry").field("agents", &self.names()).finish()
    }
}

/// Why a registry could not give a dispatch.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteError {
    /// No agent has that name.
    UnknownAgent {
        /// The name asked for.
        name: String,
        /// The names of the registry's agents.
        known: Vec<String>,
    },
    /// The agent was found, but its inputs are not right.
    Input(InputError),
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::UnknownAgent { name, known } => {
                write!(f, "no agent is named `{name}`; known agents: {}", known.join(", "))
            }
            RouteError::Input(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl std::error::Error for RouteError {}

impl From<InputError> for RouteError {
    fn from(error: InputError) -> Self {
        RouteError::Input(error)
    }
}

use crate::inputs::InputError;
#[cfg(feature = "serde")]
use any_dispatch::AnyDispatch;

/// Declares a registry over agent modules bound with [`agent`](crate::agent) (or written by
/// the builder): a unit struct that dereferences to a [`Registry`].
///
/// ```ignore
/// #[agentbind::agent("agents/write-plan.md")] pub mod planner {}
/// #[agentbind::agent("agents/backend-engineer-golang.md")] pub mod golang {}
///
/// agentbind::registry!(pub Team = planner, golang);
///
/// let golang = Team.get("backend-engineer-golang").unwrap();
/// let dispatch = Team.route(&task_call)?;          // feature `serde`
/// ```
#[macro_export]
macro_rules! registry {
    ($(#[$attr:meta])* $vis:vis $name:ident = $($($module:ident)::+),+ $(,)?) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        $vis struct $name;

        impl $name {
            /// Every agent of the registry, in the order given.
            pub const REGISTRY: $crate::Registry =
                $crate::Registry::new(&[$( $crate::dyn_agent::<$($module)::+::Agent>() ),+]);
        }

        impl ::core::ops::Deref for $name {
            type Target = $crate::Registry;
            fn deref(&self) -> &$crate::Registry {
                &$name::REGISTRY
            }
        }
    };
}
