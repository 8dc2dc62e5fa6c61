//! `Builder`: generates the modules of many agent files from a build script (prost-build style).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use crate::collisions::{collisions, Binding};
use crate::diagnostic::{Diagnostic, Error};
use crate::source::Source;
use crate::{generate_source, module_name_for, naming, AgentModule, Options};

/// Generates one module per agent file into `$OUT_DIR/agentbind.rs`, for
/// `agentbind::include_agents!()`.
///
/// ```no_run
/// // in build.rs, inside `fn main()`:
/// agentbind_codegen::Builder::new().agents_dir("agents").generate().unwrap();
/// ```
///
/// Relative paths are resolved against `CARGO_MANIFEST_DIR` (the current directory outside
/// Cargo). Every file and folder is announced with `cargo:rerun-if-changed`, so that adding,
/// removing or editing an agent rebuilds the crate.
#[derive(Debug, Clone)]
pub struct Builder {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    file_name: String,
    module_names: BTreeMap<PathBuf, String>,
    type_attributes: Vec<String>,
    rerun_if_changed: bool,
    registry: bool,
    skip_invalid: bool,
}

/// What [`Builder::generate`] wrote.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The file written.
    pub path: PathBuf,
    /// (module name, agent file) for every module, in output order.
    pub modules: Vec<(String, PathBuf)>,
    /// With [`Builder::skip_invalid`]: the problems of the files left out (each also printed
    /// as a `cargo:warning`). Empty otherwise.
    pub skipped: Vec<Diagnostic>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder with no agents, writing `agentbind.rs` into `$OUT_DIR`.
    pub fn new() -> Self {
        Self {
            files: Vec::new(),
            dirs: Vec::new(),
            out_dir: None,
            file_name: "agentbind.rs".into(),
            module_names: BTreeMap::new(),
            type_attributes: Vec::new(),
            rerun_if_changed: true,
            registry: true,
            skip_invalid: false,
        }
    }

    /// Adds one agent file.
    pub fn agent(mut self, path: impl Into<PathBuf>) -> Self {
        self.files.push(path.into());
        self
    }

    /// Adds every `*.md` file under `dir` that starts with a `---` line, recursively, in sorted
    /// order (other markdown files, such as a README, are skipped).
    pub fn agents_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dirs.push(dir.into());
        self
    }

    /// Writes into `dir` instead of `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Names the output file (default `agentbind.rs`; then use
    /// `agentbind::include_agents!("name.rs")`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// Names the module of the agent file `path` (as given to [`agent`](Self::agent) or found
    /// in a folder) instead of its snake_cased file stem.
    pub fn module_name(mut self, path: impl Into<PathBuf>, name: impl Into<String>) -> Self {
        self.module_names.insert(path.into(), name.into());
        self
    }

    /// Puts `attribute` (such as `#[derive(serde::Serialize)]`) on every generated data type:
    /// `Input`, `Output`, `Metrics` and the enums of values. The `Metrics` of an agent without
    /// metrics is `agentbind::NoMetrics`, which is not generated and gets no attribute.
    pub fn type_attribute(mut self, attribute: impl Into<String>) -> Self {
        self.type_attributes.push(attribute.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` lines (default: yes).
    pub fn emit_rerun_if_changed(mut self, yes: bool) -> Self {
        self.rerun_if_changed = yes;
        self
    }

    /// Whether to generate the `AnyAgent` registry enum over all agents (default: yes).
    pub fn registry(mut self, yes: bool) -> Self {
        self.registry = yes;
        self
    }

    /// Leaves out invalid agent files instead of failing (default: fail). Each problem of a
    /// file left out is printed as a `cargo:warning` naming `file.md:line:col`, and listed in
    /// [`Generated::skipped`]. Of two files with one module name or one `name:`, the later is
    /// left out. Meant for folders of third-party subagent files; a problem in the build
    /// configuration itself (a type attribute that does not parse) still fails.
    pub fn skip_invalid(mut self, yes: bool) -> Self {
        self.skip_invalid = yes;
        self
    }

    /// Generates the modules and writes them.
    ///
    /// The error lists every problem of every file; its `Debug` (what `unwrap` and `expect`
    /// print) renders them rustc-style, so a failing build script shows
    ///
    /// ```text
    /// error: unknown input type `strng` for input `task`
    ///  --> agents/planner.md:7:13
    ///   |
    /// 7 |       type: strng
    ///   |             ^
    ///   = help: ...
    /// ```
    pub fn generate(&self) -> Result<Generated, Error> {
        let Output { code, modules, skipped } = self.generate_code()?;
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
                builder_error("OUT_DIR is not set: call `generate` from a build script or set `out_dir`")
            })?,
        };
        let path = out_dir.join(&self.file_name);
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == code);
        if !unchanged {
            std::fs::write(&path, code)
                .map_err(|e| builder_error(&format!("cannot write `{}`: {e}", path.display())))?;
        }
        Ok(Generated { path, modules, skipped })
    }

    /// Generates the modules and returns the formatted code without writing it.
    pub fn generate_string(&self) -> Result<String, Error> {
        self.generate_code().map(|output| output.code)
    }

    fn generate_code(&self) -> Result<Output, Error> {
        let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
        let type_attributes = self.type_attributes()?;
        let options = Options { track_file: true, type_attributes };
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut read: Vec<ReadAgent> = Vec::new();
        let (files, folder_problems) = self.files(&base)?;
        errors.extend(folder_problems);
        for file in files {
            let display = file.to_string_lossy().replace('\\', "/");
            if self.rerun_if_changed {
                println!("cargo:rerun-if-changed={}", base.join(&file).display());
            }
            let generated = self.module_name_of(&file, &display).and_then(|name| {
                let source = Source::read(&base.join(&file), &display)?;
                let module = generate_source(&source, &options)?;
                Ok(ReadAgent { name, file: file.clone(), source, module })
            });
            match generated {
                Ok(agent) => read.push(agent),
                Err(e) => errors.extend(e.diagnostics().iter().cloned()),
            }
        }
        let bindings: Vec<Binding<'_>> = read
            .iter()
            .map(|agent| Binding { module: &agent.name, source: &agent.source, spec: &agent.module.spec })
            .collect();
        let mut left_out = vec![false; read.len()];
        for collision in collisions(&bindings) {
            left_out[collision.second] = true;
            if self.skip_invalid {
                // The earlier file stays: only the later one is left out.
                let [_, at_second] = collision.diagnostics;
                errors.push(at_second);
            } else {
                errors.extend(collision.diagnostics);
            }
        }
        let skipped = if self.skip_invalid {
            for diagnostic in &errors {
                println!(
                    "cargo:warning=agentbind: left out {}: {}: {}",
                    diagnostic.path,
                    diagnostic.location(),
                    diagnostic.message_with_help()
                );
            }
            errors
        } else if errors.is_empty() {
            Vec::new()
        } else {
            return Err(Error::new(errors));
        };
        let generated: Vec<ReadAgent> =
            read.into_iter().zip(left_out).filter(|(_, out)| !out).map(|(agent, _)| agent).collect();
        let mut code: String = generated.iter().map(|agent| agent.module.module_code(&agent.name)).collect();
        if self.registry {
            code.push_str(&registry(&generated));
        }
        let code = crate::pretty(&code)
            .map_err(|e| builder_error(&format!("generated code does not parse: {e}")))?;
        let header = "// @generated by agentbind-codegen from agent files. Do not edit.\n\n";
        Ok(Output {
            code: format!("{header}{code}"),
            modules: generated.into_iter().map(|agent| (agent.name, agent.file)).collect(),
            skipped,
        })
    }

    /// The module name of `file`: the one set with [`module_name`](Self::module_name), else
    /// its snake_cased stem. A problem is reported at the agent file.
    fn module_name_of(&self, file: &Path, display: &str) -> Result<String, Error> {
        let problem = |message: String, help: &str| {
            Error::new(vec![Diagnostic {
                path: display.to_owned(),
                line: 1,
                column: 1,
                message,
                help: Some(help.to_owned()),
                source_line: None,
            }])
        };
        match self.module_names.get(file) {
            Some(name) if naming::snake(name).as_deref() == Some(name.as_str()) => Ok(name.clone()),
            Some(name) => Err(problem(
                format!("module name `{name}` for `{display}` is not a snake_case Rust identifier"),
                "`Builder::module_name` takes names such as `code_reviewer`",
            )),
            None => module_name_for(file).ok_or_else(|| {
                problem(
                    format!("cannot make a module name from `{display}`"),
                    "set one with `Builder::module_name`",
                )
            }),
        }
    }

    fn type_attributes(&self) -> Result<TokenStream, Error> {
        self.type_attributes
            .iter()
            .map(|a| {
                a.parse::<TokenStream>()
                    .map_err(|e| builder_error(&format!("type attribute `{a}` does not parse: {e}")))
            })
            .collect()
    }

    /// Every agent file: the single ones, then each folder's, sorted, without duplicates; and
    /// the problems of the folders' entries that cannot be used (each that file's problem).
    fn files(&self, base: &Path) -> Result<(Vec<PathBuf>, Vec<Diagnostic>), Error> {
        let mut files = self.files.clone();
        let mut problems = Vec::new();
        for dir in &self.dirs {
            if self.rerun_if_changed {
                println!("cargo:rerun-if-changed={}", base.join(dir).display());
            }
            let found = crate::discover::find_agent_files(base, dir)
                .map_err(|e| builder_error(&format!("cannot read folder `{}`: {e}", dir.display())))?;
            files.extend(found.files);
            problems.extend(found.problems);
        }
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| seen.insert(f.clone()));
        Ok((files, problems))
    }
}

/// One agent file read, validated and emitted.
struct ReadAgent {
    name: String,
    file: PathBuf,
    source: Source,
    module: AgentModule,
}

/// What [`Builder::generate_code`] made.
struct Output {
    code: String,
    modules: Vec<(String, PathBuf)>,
    skipped: Vec<Diagnostic>,
}

fn builder_error(message: &str) -> Error {
    Error::new(vec![Diagnostic {
        path: "build.rs".into(),
        line: 1,
        column: 1,
        message: message.to_owned(),
        help: None,
        source_line: None,
    }])
}

/// `AnyAgent`: one variant per generated module, for orchestrators that route by name, as
/// data for the runtime's `any_agent!`.
fn registry(generated: &[ReadAgent]) -> String {
    let mut out = format!("{}::any_agent! {{\n", crate::emit::PRIVATE);
    for agent in generated {
        let variant = crate::collisions::any_agent_variant(&agent.name);
        let doc = format!("The agent `{}` (module [`{}`]).", agent.module.spec.name, agent.name);
        out.push_str(&format!(
            "({} {} {})\n",
            naming::ident_text(&variant),
            naming::ident_text(&agent.name),
            crate::emit::str_lit(&doc)
        ));
    }
    out.push_str("}\n");
    out
}
