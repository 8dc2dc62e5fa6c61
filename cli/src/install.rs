//! `agentbind hook install` and `uninstall`: the two hook entries in a Claude Code
//! `settings.json`, merged into what is there.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{json, Map, Value};

/// The command the entries run by default: `agentbind` from `PATH`, as after `cargo install`.
const DEFAULT_COMMAND: &str = "agentbind hook";

/// Seconds Claude Code gives the hook before it stops waiting.
const TIMEOUT_SECONDS: u64 = 30;

/// The command line of `hook install` / `hook uninstall`.
pub(crate) struct InstallCommand {
    install: bool,
    settings: PathBuf,
    command: String,
}

impl InstallCommand {
    pub(crate) fn parse(install: bool, args: &[String]) -> Result<Self, String> {
        let mut user = false;
        let mut project: Option<PathBuf> = None;
        let mut settings: Option<PathBuf> = None;
        let mut command = DEFAULT_COMMAND.to_owned();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| args.next().cloned().ok_or(format!("`{flag}` needs a value"));
            match arg.as_str() {
                "--user" => user = true,
                "--project" => project = Some(PathBuf::from(value("--project")?)),
                "--settings" => settings = Some(PathBuf::from(value("--settings")?)),
                "--command" if install => command = value("--command")?,
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        let settings = match (settings, user) {
            (Some(path), _) => path,
            (None, true) => {
                let home = std::env::var_os("HOME").ok_or("`--user` needs HOME to be set")?;
                Path::new(&home).join(".claude").join("settings.json")
            }
            (None, false) => {
                project.unwrap_or_else(|| PathBuf::from(".")).join(".claude").join("settings.json")
            }
        };
        Ok(Self { install, settings, command })
    }

    pub(crate) fn run(&self) -> ExitCode {
        let text = match std::fs::read_to_string(&self.settings) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => {
                eprintln!("error: cannot read {}: {error}", self.settings.display());
                return ExitCode::from(2);
            }
        };
        let mut settings = match text.as_deref().map(serde_json::from_str::<Value>) {
            None => Value::Object(Map::new()),
            Some(Ok(value @ Value::Object(_))) => value,
            Some(Ok(_)) => {
                eprintln!("error: {} is not a JSON object; it is left as it is", self.settings.display());
                return ExitCode::from(2);
            }
            Some(Err(error)) => {
                eprintln!(
                    "error: {} is not valid JSON ({error}); it is left as it is",
                    self.settings.display()
                );
                return ExitCode::from(2);
            }
        };
        let changes =
            if self.install { install(&mut settings, &self.command) } else { uninstall(&mut settings) };
        let path = self.settings.display();
        if changes.is_empty() {
            println!("{path}: nothing to change");
            return ExitCode::SUCCESS;
        }
        if let Some(parent) = self.settings.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Err(error) = std::fs::create_dir_all(parent) {
                eprintln!("error: cannot create {}: {error}", parent.display());
                return ExitCode::from(2);
            }
        }
        let mut text = serde_json::to_string_pretty(&settings).unwrap_or_default();
        text.push('\n');
        if let Err(error) = std::fs::write(&self.settings, text) {
            eprintln!("error: cannot write {path}: {error}");
            return ExitCode::from(2);
        }
        for change in changes {
            println!("{path}: {change}");
        }
        ExitCode::SUCCESS
    }
}

/// Whether a hook command is this hook's (`agentbind hook`, `/path/to/agentbind hook ...`).
fn is_ours(hook: &Value) -> bool {
    let Some(command) = hook.get("command").and_then(Value::as_str) else { return false };
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or_default();
    let program = program.rsplit('/').next().unwrap_or(program);
    program.trim_matches(['"', '\'']) == "agentbind" && words.next() == Some("hook")
}

/// The entries of `event` in `settings["hooks"]`, created when absent (`None` when `hooks` or
/// the event's entry is there but not of the documented shape: then nothing is touched).
fn entries<'s>(settings: &'s mut Value, event: &str) -> Option<&'s mut Vec<Value>> {
    let hooks = settings.as_object_mut()?.entry("hooks").or_insert_with(|| json!({}));
    hooks.as_object_mut()?.entry(event).or_insert_with(|| json!([])).as_array_mut()
}

/// Adds this hook's two entries where they are missing; says what it added.
fn install(settings: &mut Value, command: &str) -> Vec<String> {
    let mut changes = Vec::new();
    for (event, matcher) in [("PreToolUse", Some("Agent|Task")), ("SubagentStop", None)] {
        let Some(entries) = entries(settings, event) else {
            changes.push(format!("`hooks.{event}` is not a list: left as it is, no {event} hook added"));
            continue;
        };
        let present = entries.iter().any(|entry| {
            entry.get("hooks").and_then(Value::as_array).is_some_and(|hooks| hooks.iter().any(is_ours))
        });
        if present {
            continue;
        }
        let mut entry =
            json!({"hooks": [{"type": "command", "command": command, "timeout": TIMEOUT_SECONDS}]});
        if let Some(matcher) = matcher {
            entry["matcher"] = matcher.into();
        }
        entries.push(entry);
        changes.push(format!("added the {event} hook (`{command}`)"));
    }
    changes
}

/// Removes this hook's commands, and entries and lists it leaves empty; says what it removed.
fn uninstall(settings: &mut Value) -> Vec<String> {
    let mut changes = Vec::new();
    let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) else { return changes };
    for (event, entries) in hooks.iter_mut() {
        let Some(entries) = entries.as_array_mut() else { continue };
        let mut removed = 0;
        entries.retain_mut(|entry| {
            let Some(commands) = entry.get_mut("hooks").and_then(Value::as_array_mut) else { return true };
            let before = commands.len();
            commands.retain(|hook| !is_ours(hook));
            removed += before - commands.len();
            !(commands.is_empty() && before > 0)
        });
        if removed > 0 {
            changes.push(format!("removed the {event} hook"));
        }
    }
    hooks.retain(|_, entries| !entries.as_array().is_some_and(Vec::is_empty));
    if hooks.is_empty() {
        if let Some(object) = settings.as_object_mut() {
            object.remove("hooks");
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_keeps_other_keys_and_hooks_and_is_idempotent() {
        let mut settings = json!({
            "model": "opus",
            "hooks": {
                "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./check-bash.sh"}]}],
                "Stop": [{"hooks": [{"type": "command", "command": "notify"}]}],
            }
        });
        let changes = install(&mut settings, "agentbind hook");
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(settings["model"], "opus");
        assert_eq!(settings["hooks"]["Stop"][0]["hooks"][0]["command"], "notify");
        let pre = settings["hooks"]["PreToolUse"].as_array().unwrap();
        assert_eq!(pre[0]["matcher"], "Bash");
        assert_eq!(pre[1]["matcher"], "Agent|Task");
        assert_eq!(pre[1]["hooks"][0]["command"], "agentbind hook");
        assert_eq!(settings["hooks"]["SubagentStop"][0]["hooks"][0]["command"], "agentbind hook");
        let once = settings.clone();
        assert!(install(&mut settings, "agentbind hook").is_empty());
        assert_eq!(settings, once);

        let changes = uninstall(&mut settings);
        assert_eq!(changes, ["removed the PreToolUse hook", "removed the SubagentStop hook"]);
        assert_eq!(
            settings,
            json!({
                "model": "opus",
                "hooks": {
                    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./check-bash.sh"}]}],
                    "Stop": [{"hooks": [{"type": "command", "command": "notify"}]}],
                }
            })
        );
        assert!(uninstall(&mut settings).is_empty());
    }

    #[test]
    fn commands_are_recognised_by_program_and_subcommand() {
        assert!(is_ours(&json!({"command": "agentbind hook"})));
        assert!(is_ours(&json!({"command": "/home/me/.cargo/bin/agentbind hook --repairs 3"})));
        assert!(!is_ours(&json!({"command": "agentbind check ."})));
        assert!(!is_ours(&json!({"command": "my-agentbind hook"})));
        assert!(!is_ours(&json!({"type": "prompt"})));
    }

    #[test]
    fn settings_of_another_shape_are_not_touched() {
        let mut settings = json!({"hooks": {"PreToolUse": "oops"}});
        let changes = install(&mut settings, "agentbind hook");
        assert!(changes[0].contains("not a list"), "{changes:?}");
        assert_eq!(settings["hooks"]["PreToolUse"], "oops");
        assert_eq!(settings["hooks"]["SubagentStop"][0]["hooks"][0]["command"], "agentbind hook");
    }
}
