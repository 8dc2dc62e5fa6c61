//! Claude Code headless: `claude -p` as a child process, its reply whole
//! (`--output-format json`) or streamed (`stream-json`), and repairs that resume the session
//! the earlier call left.

mod args;
mod call;
mod child;
mod client;
mod complete;
mod result;
mod sessions;
mod stream;
#[cfg(test)]
mod testing;

pub use client::ClaudeCode;
#[cfg(feature = "fuzzing")]
pub(crate) use result::{completion, completion_of};
#[cfg(feature = "fuzzing")]
pub(crate) use stream::{read_line, Line};
