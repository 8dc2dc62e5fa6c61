//! The reply contract of a dispatch as something a server can enforce while it generates:
//! [`grammar`], a GBNF grammar of the reply (llama.cpp's `grammar`), and [`schema`], a JSON
//! Schema of the reply as JSON (structured outputs), with the reading of such a reply back
//! into markdown.

pub mod grammar;
pub mod schema;

pub use grammar::{GrammarError, GrammarLimits};
