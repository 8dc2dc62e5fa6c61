//! [`LoadedRegistry`]: agent files found at run time, by name, loaded on first use; and
//! [`AgentLookup`], what the hook asks of any registry (compiled or loaded).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use agentbind::{AnyDispatch, DynAgent, Registry, RouteError, TaskCall};
use agentbind_codegen::Source;

use crate::agent::{LoadError, LoadedAgent};

/// What a registry knows of one subagent type.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// The agent.
    Found(&'a dyn DynAgent),
    /// A file that would be this agent, but does not load (its problems, rendered).
    Invalid {
        /// The file.
        path: String,
        /// Every problem, rustc-style.
        problems: String,
    },
    /// No agent of that name.
    Missing,
}

/// A set of agents to look subagent types up in: a compiled [`Registry`] (from
/// `agentbind::registry!` or the builder's `AnyAgent::REGISTRY`), a [`LoadedRegistry`], or both
/// (a pair looks in the first, then the second).
pub trait AgentLookup {
    /// The agent called `name`.
    fn lookup(&self, name: &str) -> Lookup<'_>;
}

impl AgentLookup for Registry {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        self.get(name).map_or(Lookup::Missing, Lookup::Found)
    }
}

impl<T: AgentLookup + ?Sized> AgentLookup for &T {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        (**self).lookup(name)
    }
}

impl<A: AgentLookup, B: AgentLookup> AgentLookup for (A, B) {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.0.lookup(name) {
            Lookup::Missing => self.1.lookup(name),
            found => found,
        }
    }
}

/// The most agent files one registry reads: a folder of more is refused past this many.
pub const MAX_AGENT_FILES: usize = 10_000;

/// One agent file of a [`LoadedRegistry`].
struct Entry {
    path: PathBuf,
    plugin: Option<String>,
    /// The file's text, once read (`None`: unreadable).
    text: OnceLock<Option<String>>,
    agent: OnceLock<Result<LoadedAgent, LoadError>>,
}

impl Entry {
    fn new(path: PathBuf, plugin: Option<String>) -> Self {
        Self { path, plugin, text: OnceLock::new(), agent: OnceLock::new() }
    }

    /// The file's text: `None` when it cannot be read, is not UTF-8, or is over the agent
    /// file limit (loading it then reports why).
    fn text(&self) -> Option<&str> {
        self.text
            .get_or_init(|| {
                use std::io::Read;
                let limit = agentbind_codegen::MAX_AGENT_FILE_BYTES;
                let mut bytes = Vec::new();
                std::fs::File::open(&self.path).ok()?.take(limit + 1).read_to_end(&mut bytes).ok()?;
                if bytes.len() as u64 > limit {
                    return None;
                }
                String::from_utf8(bytes).ok()
            })
            .as_deref()
    }

    /// The name asked for without this entry's `plugin:` prefix, when it can be this entry's.
    fn base_name<'n>(&self, name: &'n str) -> Option<&'n str> {
        match &self.plugin {
            Some(plugin) => name.strip_prefix(plugin.as_str())?.strip_prefix(':'),
            None if name.contains(':') => None,
            None => Some(name),
        }
    }

    /// Whether the file is named after `name` (`reviewer.md` for `reviewer`): a file that does
    /// not load is reported for the names it is named after only.
    fn named(&self, name: &str) -> bool {
        self.base_name(name).is_some_and(|base| self.path.file_stem().is_some_and(|stem| stem == base))
    }

    /// Whether the file can be the agent `name`: its text holds the name (as `name:` does).
    /// Files that cannot are not validated at all, which keeps a lookup in a large folder
    /// fast; an unreadable file is a candidate, so that its problem is reported.
    fn may_be(&self, name: &str) -> bool {
        let Some(name) = self.base_name(name) else { return false };
        self.text().is_none_or(|text| memchr::memmem::find(text.as_bytes(), name.as_bytes()).is_some())
    }

    fn agent(&self) -> &Result<LoadedAgent, LoadError> {
        self.agent.get_or_init(|| {
            let display = self.path.to_string_lossy().into_owned();
            let source = match self.text() {
                Some(text) => Source::from_bytes(self.path.clone(), &display, text.as_bytes().to_vec())
                    .map_err(LoadError::Invalid)?,
                None => Source::read(&self.path, &display).map_err(LoadError::Invalid)?,
            };
            let agent = LoadedAgent::from_source(&source)?;
            Ok(match &self.plugin {
                Some(plugin) => agent.in_plugin(plugin),
                None => agent,
            })
        })
    }
}

/// Agent files found at run time, looked up by name as Claude Code does: in the order they
/// were added (the project's `.claude/agents` before `~/.claude/agents`), the first file whose
/// `name` matches. Each file is read and validated on first use only, so that a hook that
/// needs one agent of a folder of 45 validates one.
///
/// This is the run-time path beside the compile-time one, as sqlx's `query` sits beside
/// `query!`: the same validation (codegen's), the same scanner, prompt reader and feedback (the
/// runtime's), but problems surface when a file is used instead of when the crate compiles,
/// and outputs are JSON instead of generated types.
#[derive(Default)]
pub struct LoadedRegistry {
    entries: Vec<Entry>,
    /// Folders that could not be read, with why.
    unreadable: Vec<(PathBuf, String)>,
}

impl LoadedRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The agents Claude Code sees from `project_dir`: its `.claude/agents/**`, then
    /// `<home>/.claude/agents/**` (`home`: the user's home folder, when known). Missing
    /// folders are skipped.
    pub fn claude_code(project_dir: &Path, home: Option<&Path>) -> Self {
        let mut registry = Self::new();
        registry.add_dir_if_exists(&project_dir.join(".claude").join("agents"));
        if let Some(home) = home {
            registry.add_dir_if_exists(&home.join(".claude").join("agents"));
        }
        registry
    }

    /// Adds every agent file under `dir` (recursively, sorted; `*.md` files that start with
    /// `---`). A folder that cannot be read is recorded in [`unreadable`](Self::unreadable).
    pub fn add_dir(&mut self, dir: &Path) -> &mut Self {
        self.add_files(dir, None);
        self
    }

    /// Adds the agent files of a plugin's folder, named `plugin:name`.
    pub fn add_plugin_dir(&mut self, plugin: &str, dir: &Path) -> &mut Self {
        self.add_files(dir, Some(plugin.to_owned()));
        self
    }

    /// Adds one agent file.
    pub fn add_file(&mut self, path: &Path) -> &mut Self {
        if self.entries.len() < MAX_AGENT_FILES {
            self.entries.push(Entry::new(path.to_owned(), None));
        }
        self
    }

    fn add_dir_if_exists(&mut self, dir: &Path) {
        if dir.is_dir() {
            self.add_dir(dir);
        }
    }

    fn add_files(&mut self, dir: &Path, plugin: Option<String>) {
        match agentbind_codegen::find_agent_files(Path::new(""), dir) {
            Ok(found) => {
                // An entry with a problem (a dangling link, a link out of the folder) is a file
                // that does not load, reported under the names it is named after.
                let problems = found.problems.into_iter().map(|problem| {
                    let entry = Entry::new(PathBuf::from(&problem.path), plugin.clone());
                    let _ = entry
                        .agent
                        .set(Err(LoadError::Invalid(agentbind_codegen::Error::new(vec![problem]))));
                    entry
                });
                let files = found.files.into_iter().map(|file| Entry::new(file, plugin.clone()));
                for entry in files.chain(problems) {
                    if self.entries.len() >= MAX_AGENT_FILES {
                        self.unreadable
                            .push((dir.to_owned(), format!("more than {MAX_AGENT_FILES} agent files")));
                        return;
                    }
                    self.entries.push(entry);
                }
            }
            Err(error) => self.unreadable.push((dir.to_owned(), error.to_string())),
        }
    }

    /// The folders that could not be read, with why.
    pub fn unreadable(&self) -> &[(PathBuf, String)] {
        &self.unreadable
    }

    /// The agent called `name` (or `plugin:name`), loading the files that can be it.
    pub fn get(&self, name: &str) -> Option<&LoadedAgent> {
        match self.find(name) {
            Some(Ok(agent)) => Some(agent),
            _ => None,
        }
    }

    /// The first file that is, or fails to load while it may be, the agent `name`.
    fn find(&self, name: &str) -> Option<Result<&LoadedAgent, (&Entry, &LoadError)>> {
        let mut invalid = None;
        for entry in self.entries.iter().filter(|e| e.may_be(name)) {
            match entry.agent() {
                Ok(agent) if DynAgent::name(agent) == name => return Some(Ok(agent)),
                Ok(_) => {}
                Err(error) if entry.named(name) => {
                    invalid.get_or_insert((entry, error));
                }
                Err(_) => {}
            }
        }
        invalid.map(Err)
    }

    /// The agent `name`, or an error that lists the known names.
    pub fn agent(&self, name: &str) -> Result<&dyn DynAgent, RouteError> {
        match self.get(name) {
            Some(agent) => Ok(agent),
            None => Err(RouteError::UnknownAgent { name: name.to_owned(), known: self.names() }),
        }
    }

    /// Every agent that loads, in order (this validates every file).
    pub fn agents(&self) -> impl Iterator<Item = &LoadedAgent> {
        self.entries.iter().filter_map(|e| e.agent().as_ref().ok())
    }

    /// The names of the agents that load.
    pub fn names(&self) -> Vec<String> {
        self.agents().map(|a| DynAgent::name(a).to_owned()).collect()
    }

    /// Every file that does not load, with its problems (this validates every file).
    pub fn problems(&self) -> Vec<(&Path, &LoadError)> {
        self.entries
            .iter()
            .filter_map(|e| e.agent().as_ref().err().map(|error| (e.path.as_path(), error)))
            .collect()
    }

    /// The dispatch that a Task call asks for (see `agentbind::Registry::route`).
    pub fn route(&self, call: &TaskCall) -> Result<AnyDispatch<'_>, RouteError> {
        Ok(self.agent(&call.subagent_type)?.dispatch_prompt(&call.prompt)?)
    }

    /// A dispatch from tool-call `arguments` for agent `name` (see
    /// `agentbind::Registry::dispatch`).
    pub fn dispatch(&self, name: &str, arguments: &serde_json::Value) -> Result<AnyDispatch<'_>, RouteError> {
        Ok(self.agent(name)?.dispatch_arguments(arguments)?)
    }
}

impl std::fmt::Debug for LoadedRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedRegistry")
            .field("files", &self.entries.iter().map(|e| &e.path).collect::<Vec<_>>())
            .finish()
    }
}

impl AgentLookup for LoadedRegistry {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.find(name) {
            Some(Ok(agent)) => Lookup::Found(agent),
            Some(Err((entry, error))) => Lookup::Invalid {
                path: entry.path.to_string_lossy().into_owned(),
                problems: error.to_string(),
            },
            None => Lookup::Missing,
        }
    }
}
