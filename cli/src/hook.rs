//! `agentbind hook`: one Claude Code hook event on stdin, the answer on stdout, over the agent
//! files Claude Code itself would find (`agentbind_load::hook::answer` over a
//! `LoadedRegistry`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentbind_load::hook::{self, HookEvent, HookOptions};
use agentbind_load::LoadedRegistry;

/// The command line of `hook`.
pub(crate) struct HookCommand {
    options: HookOptions,
    /// Agent folders instead of the ones Claude Code finds.
    dirs: Vec<PathBuf>,
    /// Plugin folders: (plugin, folder).
    plugins: Vec<(String, PathBuf)>,
    log: Option<PathBuf>,
}

impl HookCommand {
    pub(crate) fn parse(args: &[String]) -> Result<Self, String> {
        let mut command =
            HookCommand { options: HookOptions::default(), dirs: Vec::new(), plugins: Vec::new(), log: None };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| args.next().cloned().ok_or(format!("`{flag}` needs a value"));
            match arg.as_str() {
                "--agents" => command.dirs.push(PathBuf::from(value("--agents")?)),
                "--plugin" => {
                    let text = value("--plugin")?;
                    let (name, dir) = text.split_once('=').ok_or("`--plugin` takes NAME=FOLDER")?;
                    command.plugins.push((name.to_owned(), PathBuf::from(dir)));
                }
                "--repairs" => {
                    let text = value("--repairs")?;
                    let repairs =
                        text.parse().map_err(|_| format!("`--repairs` takes a number, not `{text}`"))?;
                    command.options = command.options.repairs(repairs);
                }
                "--no-reply-format" => command.options = command.options.reply_format(false),
                "--strict" => command.options = command.options.strict(true),
                "--log" => command.log = Some(PathBuf::from(value("--log")?)),
                other => return Err(format!("unknown option `{other}` of `hook`")),
            }
        }
        Ok(command)
    }

    /// Reads the event, answers it, writes the answer (and the log line).
    pub(crate) fn run(&self) -> ExitCode {
        let input = match hook::read_stdin() {
            Ok(input) => input,
            Err(error) => {
                eprintln!("agentbind hook: cannot read the event on stdin: {error}");
                return ExitCode::SUCCESS;
            }
        };
        // Read once: the event's folder chooses the agents, then the event is answered.
        let event = HookEvent::from_json(&input);
        let registry = self.registry(event.as_ref().ok().and_then(HookEvent::cwd));
        let answer = match &event {
            Ok(event) => hook::answer_event(event, &registry, &self.options),
            // What is not a hook event is answered by the error policy.
            Err(_) => hook::answer(&input, &registry, &self.options),
        };
        hook::write_answer(&answer);
        if let Some(log) = &self.log {
            if let Err(error) = append_log(log, &answer.record) {
                eprintln!("agentbind hook: cannot write the log {}: {error}", log.display());
            }
        }
        ExitCode::from(u8::try_from(answer.exit_code).unwrap_or(1))
    }

    /// The folders given, or the ones Claude Code finds from the event's `cwd`.
    fn registry(&self, cwd: Option<&str>) -> LoadedRegistry {
        let mut registry = if self.dirs.is_empty() {
            let project = project_dir(cwd);
            let home = std::env::var_os("HOME").map(PathBuf::from);
            LoadedRegistry::claude_code(&project, home.as_deref())
        } else {
            let mut registry = LoadedRegistry::new();
            for dir in &self.dirs {
                registry.add_dir(dir);
            }
            registry
        };
        for (plugin, dir) in &self.plugins {
            registry.add_plugin_dir(plugin, dir);
        }
        for (dir, why) in registry.unreadable() {
            eprintln!("agentbind hook: cannot read the agent folder {}: {why}", dir.display());
        }
        registry
    }
}

/// The project: `CLAUDE_PROJECT_DIR` (which Claude Code sets for hooks), else the nearest
/// folder from the event's `cwd` up that has a `.claude` folder (the event's `cwd` follows a
/// `cd` made in the session, the project does not), else that `cwd`, else the current folder.
fn project_dir(cwd: Option<&str>) -> PathBuf {
    if let Some(dir) = std::env::var_os("CLAUDE_PROJECT_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let cwd = PathBuf::from(cwd.unwrap_or("."));
    cwd.ancestors()
        .find(|dir| dir.join(".claude").join("agents").is_dir())
        .map(Path::to_path_buf)
        .unwrap_or(cwd)
}

fn append_log(path: &Path, record: &hook::Record) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(&line)
}
