//! # agentbind-load
//!
//! Agent files loaded at run time, for the agents a crate does not know when it compiles: a
//! project's `.claude/agents` folder, a user's `~/.claude/agents`, a plugin's agents.
//!
//! - [`LoadedAgent`]: one file, validated by `agentbind-codegen` (the same located problems as
//!   the macro and `agentbind check`), seen as an `agentbind::DynAgent`: the same reply
//!   scanner, prompt reader, reply format and repair feedback as generated code, with JSON
//!   inputs and outputs instead of generated types.
//! - [`LoadedRegistry`]: files found as Claude Code finds them, looked up by `name`
//!   (`plugin:name` for a plugin's agents), each validated on first use.
//! - [`hook`]: Claude Code's `PreToolUse` and `SubagentStop` hooks over any registry, compiled
//!   or loaded: an invalid dispatch is denied with what is missing, a reply that breaks its
//!   contract is sent back for repair.
//!
//! This is to `#[agentbind::agent]` what sqlx's `query` is to `query!`: the same checks, made
//! when the file is used instead of when the crate compiles.
#![deny(missing_docs)]

mod agent;
pub mod hook;
mod registry;
mod words;

pub use agent::{LoadError, LoadedAgent};
pub use registry::{AgentLookup, LoadedRegistry, Lookup, MAX_AGENT_FILES};
pub use words::MAX_LIST_DEPTH;
