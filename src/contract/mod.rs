//! The reply contract of a dispatch as something a server can enforce while it generates:
//! [`grammar`], a GBNF grammar of the reply (llama.cpp's `grammar`).

pub mod grammar;

pub use grammar::{GrammarError, GrammarLimits};
