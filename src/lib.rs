//! # agentbind
//!
//! Typed Rust bindings for AI-agent definition files: markdown with a YAML frontmatter that
//! declares the agent's inputs (`input_schema`), the sections its reply must contain
//! (`output_schema.required_sections`), its `metrics` and its `error_handling`.
//!
//! The files are read **at compile time**, by the [`agent`] attribute macro or by
//! `agentbind_codegen::Builder` in a build script (then [`include_agents!`]), and become a
//! module per agent with typed `Input`, `Output`, `Section`, `InvocationContext`, `Metrics`
//! and `Metric` items. This crate is the small runtime those modules use:
//!
//! * [`Agent`], [`AgentInput`], [`AgentOutput`], [`SectionKind`], [`ContextKind`]: the traits
//!   every generated module implements;
//! * [`Dispatch`]: one typed call of an agent, which renders the prompt and checks the reply;
//! * [`Markdown`], [`FileContent`], [`Percentage`], [`Fraction`]: value types of inputs and
//!   metrics;
//! * [`SectionText`], [`Captured`], [`ReplyError`]: what reply parsing gives back;
//!   [`ReplyStr`]: the section texts, pieces of the one copy of the reply.
//!
//! ```ignore
//! #[agentbind::agent("agents/backend-engineer-golang.md")]
//! pub mod golang {}
//!
//! let input = golang::Input::from(golang::RequiredInput {
//!     task_description: "Add /health endpoint".into(),
//!     requirements: "Must return 200 with build info".into(),
//! });
//! let dispatch = golang::Agent::dispatch(input).in_context(golang::InvocationContext::DevRefactor);
//! let prompt = dispatch.prompt();
//! let output: golang::Output = dispatch.parse_reply(&reply)?;
//! ```
#![deny(missing_docs)]

// The private macros name the crate `::agentbind`, also when used inside it.
extern crate self as agentbind;

#[macro_use]
mod words;
mod absent;
mod agent;
mod claude;
pub mod contract;
mod dispatch;
mod error_handling;
mod format;
mod inputs;
#[cfg(feature = "serde")]
mod json;
mod labeled;
mod metrics;
mod near_miss;
mod numbers;
mod pattern;
mod prompt;
mod registry;
mod reply;
mod scan;
mod text;

pub use absent::{NoContext, NoMetric, NoMetrics};
pub use agent::{Agent, AgentInput, AgentOutput, ContextKind, Requirement, SectionKind};
pub use claude::{ClaudeCodeSettings, Color, Model, Tool};
pub use dispatch::{Dispatch, Events, FinishedReply, ReplyParser, SectionEvent};
pub use error_handling::{ErrorHandling, EscalationPath, OnBlocker};
pub use inputs::{InputError, InputField, InputKind, InputProblem, CONTEXT_KEY, INSTRUCTIONS_KEY};
pub use labeled::LabeledEnum;
pub use labeled::{match_label, undecorated};
pub use metrics::{
    parse_metrics, AgentMetrics, FilledMetrics, InvalidMetric, MetricError, MetricField, MetricName,
    MetricValue, MetricsError,
};
pub use near_miss::Normalization;
pub use numbers::{Fraction, MetricKind, Percentage};
pub use pattern::example_heading;
pub use pattern::SectionPattern;
pub use prompt::{PromptBuilder, PromptValue};
#[cfg(feature = "serde")]
pub use registry::any_dispatch::AnyDispatch;
#[cfg(feature = "serde")]
pub use registry::{data_dispatch, OutputField};
pub use registry::{
    dyn_agent, tool_name, AgentRef, DynAgent, MaybeDeserialize, MaybeSerialize, Registry, RoutableAgent,
    RouteError, SectionInfo, SectionRequirement,
};
pub use reply::{Captured, ReplyError, ReplyProblem, ReplySections, ReplyStr, SectionText};
pub use scan::{
    IncrementalScan, ScanEvent, SectionMatcher, MAX_OCCURRENCES, MAX_PATTERN_SIZE, MAX_REPLY_BYTES,
};
pub use text::{FileContent, Markdown, UnknownValue};

#[cfg(feature = "serde")]
pub use json::{agent_definition, input_schema, TaskCall};

/// Re-export of serde (feature `serde`), for generated derives.
#[cfg(feature = "serde")]
pub use serde;

/// Re-export of schemars (feature `schemars`), for generated derives.
#[cfg(feature = "schemars")]
pub use schemars;

/// Without the `serde` feature, generated label enums get no serde impls.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_labeled_enum_serde {
    ($name:ident) => {};
}

#[doc(hidden)]
pub use agentbind_macros::data;

/// The private contract with generated code, versioned in its name; not part of the API.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private_v0_3;

/// The JSON value type used for `object` inputs (`serde_json::Value`).
pub type JsonValue = serde_json::Value;

/// Re-export of `serde_json`, so that generated code and callers can build `object` inputs
/// without depending on it themselves.
pub use serde_json;

/// Generates a typed module for one agent file; see the crate documentation.
///
/// ```ignore
/// #[agentbind::agent("agents/backend-engineer-golang.md")]
/// pub mod golang {}
/// ```
///
/// The path is relative to the `CARGO_MANIFEST_DIR` of the crate that uses the macro. Every
/// problem in the file is a compile error naming `file.md:line:col`.
pub use agentbind_macros::agent;

/// Includes the modules that `agentbind_codegen::Builder` wrote to `$OUT_DIR` from a build
/// script: one module per agent file.
///
/// ```ignore
/// // build.rs
/// fn main() { agentbind_codegen::Builder::new().agents_dir("agents").generate().unwrap(); }
/// // src/lib.rs
/// agentbind::include_agents!();
/// ```
///
/// With an argument, includes a file of another name that the builder was told to write
/// (`Builder::file_name`).
#[macro_export]
macro_rules! include_agents {
    () => {
        include!(concat!(env!("OUT_DIR"), "/agentbind.rs"));
    };
    ($file:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $file));
    };
}
