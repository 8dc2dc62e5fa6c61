//! # agentbind-codegen
//!
//! The one place where agent files are understood. An agent file (markdown with a YAML
//! frontmatter) goes through three steps:
//!
//! 1. **parse**: [`Source`] reads the file and splits off the frontmatter; the YAML becomes a
//!    tree of nodes that each know their `line:col` (granit-parser events);
//! 2. **validate**: the tree becomes a typed [`AgentSpec`]; every problem is a [`Diagnostic`]
//!    naming `file.md:line:col`, and all of a file's problems are reported together;
//! 3. **emit**: the spec becomes the source of a Rust module's items.
//!
//! [`generate`] runs all three and is what both the `#[agentbind::agent]` macro and
//! [`Builder`] (for build scripts) call, so both produce the same module for the same file.

#[cfg(feature = "pretty")]
mod builder;
#[macro_use]
mod vocab;
mod collisions;
mod diagnostic;
mod discover;
mod emit;
pub mod grammar;
mod lenient;
mod model;
mod naming;
pub mod pattern;
mod source;
mod validate;
mod yaml;

use std::path::Path;

use proc_macro2::TokenStream;

#[cfg(feature = "pretty")]
pub use builder::{Builder, Generated};
pub use collisions::{collisions, Binding, Collision};
pub use diagnostic::{Diagnostic, Error};
pub use discover::{agent_files, find_agent_files, AgentFiles};
pub use model::{
    AgentSpec, ClaudeCodeSpec, ContextSpec, EnumSpec, ErrorHandlingSpec, InputSpec, InputType, MetricKind,
    MetricSpec, ModelAlias, ModelKind, RequirementSpec, ScalarType, SectionSpec, ToolSpec,
};
pub use source::{Pos, Source, MAX_AGENT_FILE_BYTES};
pub use validate::validate;
pub use yaml::{MAX_YAML_DEPTH, MAX_YAML_NODES};

/// What [`generate`] needs to know besides the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Emit `include_bytes!` of the file so that the compiler rebuilds when it changes
    /// (the macro path; the builder uses `cargo:rerun-if-changed`, and sets it too so that
    /// both paths give the same module).
    pub track_file: bool,
    /// Attributes put on every generated data type, such as `#[derive(serde::Serialize)]`.
    pub type_attributes: TokenStream,
}

/// One agent file turned into Rust: the validated spec, the module's doc text and its items.
#[derive(Debug, Clone)]
pub struct AgentModule {
    /// The validated model of the file.
    pub spec: AgentSpec,
    /// The module's documentation (markdown).
    pub doc: String,
    /// The items that go inside the module, as Rust source text. A proc macro should give it
    /// to `proc_macro::TokenStream`'s `FromStr`: the compiler lexes it in one call, where
    /// proc-macro2's `FromStr` lexes it once more itself first, to check it.
    pub code: String,
}

impl AgentModule {
    /// `#[doc = ...]` with the module's documentation, as source text.
    pub fn doc_code(&self) -> String {
        emit::doc_attribute(&self.doc)
    }

    /// The whole module `#[doc = ...] pub mod <name> { items }`, as source text.
    pub fn module_code(&self, name: &str) -> String {
        let name = naming::ident_text(name);
        format!("{}pub mod {name} {{\n{}}}\n", self.doc_code(), self.code)
    }
}

/// Reads, validates and emits the agent file at `path`, named `display_path` in diagnostics.
///
/// This is the one function behind the `#[agentbind::agent]` macro and [`Builder`].
pub fn generate(path: &Path, display_path: &str, options: &Options) -> Result<AgentModule, Error> {
    let source = Source::read(path, display_path)?;
    generate_source(&source, options)
}

/// [`generate`] for a file already in memory.
pub fn generate_source(source: &Source, options: &Options) -> Result<AgentModule, Error> {
    let mut spec = validate(source)?;
    if options.track_file {
        spec.tracked_path = Some(source.path.to_string_lossy().into_owned());
    }
    let emit_options = emit::EmitOptions { type_attributes: options.type_attributes.to_string() };
    Ok(AgentModule { doc: emit::module_doc(&spec), code: emit::items(&spec, &emit_options), spec })
}

/// The snake_case module name for an agent file: its file stem (`code-reviewer.md` ->
/// `code_reviewer`), or `None` when the stem has no usable characters.
pub fn module_name_for(path: &Path) -> Option<String> {
    naming::snake(&path.file_stem()?.to_string_lossy())
}

/// Formats `code` (the source of a whole file of items) with prettyplease.
#[cfg(feature = "pretty")]
pub fn pretty(code: &str) -> Result<String, String> {
    let file = syn::parse_file(code).map_err(|e| e.to_string())?;
    Ok(prettyplease::unparse(&file))
}

/// Splits off the frontmatter and parses its YAML into the positioned node tree, and nothing
/// more: the floor that the codegen benchmark measures [`generate_source`] against.
#[doc(hidden)]
pub fn parse_frontmatter_only(source: &Source) -> Result<(), Error> {
    let parts = source.parts()?;
    yaml::parse(parts.frontmatter, parts.frontmatter_line).map(drop).map_err(|e| {
        Error::new(vec![source.diagnostic(Pos { line: e.line, column: e.column }, e.message, None)])
    })
}
