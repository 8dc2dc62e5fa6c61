//! Test support for the real Claude Code CLI against a [`ScriptedServer`](super::ScriptedServer):
//! finding the binary that `scripts/claude-code.sh up` installs, a command with an isolated
//! scratch home that talks only to the server, and a bounded wait for it.
//!
//! ```ignore
//! let Some(cli) = ClaudeCli::find_or_skip("my_test") else { return };  // prints why it skipped
//! let server = ScriptedServer::with_handler(|request| { /* route by request */ }).await?;
//! let mut command = cli.command(cli.project_dir(), &server.url(""));
//! command.arg("Review README.md");                                     // the prompt
//! let output = output_within(command, Duration::from_secs(60)).await?;  // killed past 60 s
//! assert_eq!(output.json().unwrap()["result"], "Done.");
//!
//! // The ClaudeCode backend on the same CLI (feature `claude-code`): the CLI is the model's
//! // client, the server sees what the agent's settings made of its requests.
//! let client = cli.claude_code(&server.url(""));
//! let run = dispatch.run(&client, RunOptions::default()).await?;
//! ```

use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The Claude Code version `scripts/claude-code.sh` installs and these tests were written
/// against.
pub const PINNED_VERSION: &str = "2.1.332";

/// What a test prints when it skips because the CLI is not installed.
pub const SKIP_MESSAGE: &str = "skipped: Claude Code CLI not installed; run scripts/claude-code.sh up";

/// The environment variable that names the `claude` binary to use instead of the pinned one.
pub const PROGRAM_VARIABLE: &str = "AGENTBIND_CLAUDE";

/// The most bytes of the child's stdout, and of its stderr, that [`output_within`] keeps; the
/// rest is read and dropped, so the child never blocks on a full pipe.
const OUTPUT_LIMIT: usize = 64 * 1024 * 1024;

/// How long the output pipes may stay open once the child has exited (a process it started
/// may hold them).
const PIPE_GRACE: Duration = Duration::from_secs(5);

/// What a test prints when it skips: [`SKIP_MESSAGE`].
pub fn skip_message() -> &'static str {
    SKIP_MESSAGE
}

/// A folder under the system's temp dir, removed with everything in it when dropped.
#[derive(Debug)]
struct Scratch {
    root: PathBuf,
    home: PathBuf,
    tmp: PathBuf,
    project: PathBuf,
}

impl Scratch {
    /// A new, empty folder with `home`, `tmp` and `project` inside.
    fn new() -> io::Result<Self> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        // Short names: the CLI puts a Unix socket under TMPDIR, and socket paths are limited
        // to about 100 bytes.
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let root = std::env::temp_dir().join(format!("agentbind-cc-{}-{n}", std::process::id()));
            match std::fs::create_dir(&root) {
                Ok(()) => {
                    let scratch = Self {
                        home: root.join("home"),
                        tmp: root.join("tmp"),
                        project: root.join("project"),
                        root,
                    };
                    // Dropping `scratch` on an error removes what was made.
                    for dir in [&scratch.home, &scratch.tmp, &scratch.project] {
                        std::fs::create_dir(dir)?;
                    }
                    return Ok(scratch);
                }
                // Left by an earlier process with the same id.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The real `claude` binary, with a scratch folder of its own (home, temp dir and an empty
/// project) that is removed when this is dropped. Every command made from one `ClaudeCli`
/// shares that home, as a user's runs do (`--resume` works across them).
#[derive(Debug)]
pub struct ClaudeCli {
    program: PathBuf,
    scratch: Scratch,
}

impl ClaudeCli {
    /// The CLI named by `AGENTBIND_CLAUDE`, or else the pinned install of
    /// `scripts/claude-code.sh` (`${AGENTBIND_CACHE:-$HOME/.cache/agentbind}/claude-code/2.1.332`).
    /// `None` when that file is not an executable, or when no scratch folder can be made.
    pub fn find() -> Option<Self> {
        let program = Self::program_path()?;
        is_executable(&program).then(|| Self::at(program).ok()).flatten()
    }

    /// [`find`](Self::find), or `None` after writing `<test>: skipped: ...` to stderr
    /// (past the test harness's capture, so `cargo test` shows it).
    pub fn find_or_skip(test: &str) -> Option<Self> {
        let found = Self::find();
        if found.is_none() {
            let named = match std::env::var_os(PROGRAM_VARIABLE) {
                Some(program) if !program.is_empty() => {
                    format!(" ({PROGRAM_VARIABLE}={} is not an executable)", program.to_string_lossy())
                }
                _ => String::new(),
            };
            let note = format!("{test}: {SKIP_MESSAGE}{named}\n");
            let _ = io::Write::write_all(&mut io::stderr(), note.as_bytes());
        }
        found
    }

    /// The CLI at `program`, with a new scratch folder.
    pub fn at(program: impl Into<PathBuf>) -> io::Result<Self> {
        Ok(Self { program: program.into(), scratch: Scratch::new()? })
    }

    /// Where [`find`](Self::find) looks: `AGENTBIND_CLAUDE` when set, else the pinned install
    /// path. `None` when neither that variable nor `AGENTBIND_CACHE` nor `HOME` is set.
    pub fn program_path() -> Option<PathBuf> {
        let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
        if let Some(program) = set(PROGRAM_VARIABLE) {
            return Some(program);
        }
        let cache =
            set("AGENTBIND_CACHE").or_else(|| set("HOME").map(|home| home.join(".cache/agentbind")))?;
        Some(cache.join("claude-code").join(PINNED_VERSION).join("node_modules/.bin/claude"))
    }

    /// The binary.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// What `claude --version` prints (`2.1.332 (Claude Code)`), trimmed; waits at most 30 s.
    pub fn version(&self) -> io::Result<String> {
        let mut command = Command::new(&self.program);
        isolate(&mut command, self.home(), self.tmp_dir());
        command.arg("--version").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let output = wait_bounded(command.spawn()?, Duration::from_secs(30))?;
        if !output.success() {
            return Err(io::Error::other(format!(
                "`{} --version` failed: {output:?}",
                self.program.display()
            )));
        }
        Ok(output.stdout.trim().to_owned())
    }

    /// The scratch home: `~/.claude.json`, `~/.claude/settings.json`, the transcripts under
    /// `~/.claude/projects/`.
    pub fn home(&self) -> &Path {
        &self.scratch.home
    }

    /// The scratch temp dir (`TMPDIR`), where the CLI keeps its per-session files
    /// (`claude-<uid>/...`, `cc-socks/`).
    pub fn tmp_dir(&self) -> &Path {
        &self.scratch.tmp
    }

    /// An empty project folder in the scratch folder, for tests that need only one.
    pub fn project_dir(&self) -> &Path {
        &self.scratch.project
    }

    /// `claude -p --output-format json --permission-mode bypassPermissions`, ready for the
    /// prompt to be appended (before any flag that takes a list, such as `--tools`), run in
    /// `project_dir` against the Messages API at `base_url` (a [`ScriptedServer`]'s
    /// `url("")`).
    ///
    /// The environment is cleared, then set to [`env`](Self::env)'s. Add variables with
    /// [`Command::env`]. Stdin is null.
    ///
    /// [`ScriptedServer`]: super::ScriptedServer
    pub fn command(&self, project_dir: &Path, base_url: &str) -> Command {
        let mut command = Command::new(&self.program);
        command
            .env_clear()
            .envs(self.env(base_url))
            .current_dir(project_dir)
            .args(["-p", "--output-format", "json", "--permission-mode", "bypassPermissions"])
            .stdin(Stdio::null());
        command
    }

    /// The environment the CLI gets from [`command`](Self::command) and
    /// `claude_code` (feature `claude-code`): `PATH` (so hooks find their programs), `HOME` and
    /// `TMPDIR` in the scratch folder, `TERM=dumb`, `ANTHROPIC_BASE_URL=<base_url>`,
    /// `ANTHROPIC_API_KEY=test`, `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1` (without it the
    /// CLI looks up telemetry hosts and sends `HEAD /api/hello`) and `IS_SANDBOX=1` (which
    /// lets `bypassPermissions` run as root), and nothing else.
    pub fn env(&self, base_url: &str) -> Vec<(&'static str, OsString)> {
        let mut env = isolated_env(self.home(), self.tmp_dir());
        env.extend([
            ("ANTHROPIC_BASE_URL", base_url.into()),
            ("ANTHROPIC_API_KEY", "test".into()),
            ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1".into()),
            ("IS_SANDBOX", "1".into()),
        ]);
        env
    }

    /// The [`ClaudeCode`](crate::ClaudeCode) backend on this CLI: run in
    /// [`project_dir`](Self::project_dir), with [`env`](Self::env)'s environment and nothing
    /// else. Unlike [`command`](Self::command), it passes no `--permission-mode`: that is the
    /// agent's.
    #[cfg(feature = "claude-code")]
    pub fn claude_code(&self, base_url: &str) -> crate::ClaudeCode {
        let client =
            crate::ClaudeCode::with_program(&self.program).current_dir(self.project_dir()).env_clear();
        self.env(base_url).into_iter().fold(client, |client, (key, value)| client.env(key, value))
    }
}

/// `PATH` (when set), `HOME` and `TMPDIR` at `home` and `tmp`, and `TERM=dumb`.
fn isolated_env(home: &Path, tmp: &Path) -> Vec<(&'static str, OsString)> {
    let mut env = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        env.push(("PATH", path));
    }
    env.extend([("HOME", home.into()), ("TMPDIR", tmp.into()), ("TERM", "dumb".into())]);
    env
}

/// Clears the environment of `command` but for `PATH`, and points its home and temp dir at
/// `home` and `tmp`.
fn isolate(command: &mut Command, home: &Path, tmp: &Path) {
    command.env_clear().envs(isolated_env(home, tmp));
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// What a bounded run of the CLI gave.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CliOutput {
    /// How it exited; `None` when that could not be learnt after killing it.
    pub status: Option<ExitStatus>,
    /// Its stdout (the first 64 MiB, invalid UTF-8 replaced).
    pub stdout: String,
    /// Its stderr (likewise).
    pub stderr: String,
    /// Whether it was killed for running past the timeout.
    pub timed_out: bool,
    /// From the spawn to its exit.
    pub elapsed: Duration,
}

impl CliOutput {
    /// Whether it exited with status 0 within the timeout.
    pub fn success(&self) -> bool {
        !self.timed_out && self.status.is_some_and(|status| status.success())
    }

    /// Stdout as JSON (the result object of `--output-format json`), when it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(self.stdout.trim()).ok()
    }
}

/// Spawns `command` with piped stdout and stderr and waits for it at most `timeout`, killing
/// it past that (then [`CliOutput::timed_out`] is set). The wait happens on a thread of its
/// own, so a [`ScriptedServer`](super::ScriptedServer) on the same single-threaded runtime
/// keeps answering, and the deadline holds even if the future is dropped.
pub async fn output_within(mut command: Command, timeout: Duration) -> io::Result<CliOutput> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn()?;
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = done.send(wait_bounded(child, timeout));
    });
    result.await.map_err(|_| io::Error::other("the thread waiting for the child ended without a result"))?
}

/// Waits for `child` at most `timeout`, killing it past that, and collects its output.
fn wait_bounded(mut child: Child, timeout: Duration) -> io::Result<CliOutput> {
    let started = Instant::now();
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let (status, timed_out) = loop {
        match child.try_wait() {
            Ok(Some(status)) => break (Some(status), false),
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                break (child.wait().ok(), true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        }
    };
    let elapsed = started.elapsed();
    let collect = |pipe: Option<mpsc::Receiver<Vec<u8>>>| {
        let bytes = pipe.and_then(|pipe| pipe.recv_timeout(PIPE_GRACE).ok()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Ok(CliOutput { status, stdout: collect(stdout), stderr: collect(stderr), timed_out, elapsed })
}

/// Reads `pipe` to its end on a thread, keeping the first [`OUTPUT_LIMIT`] bytes.
fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 16 * 1024];
        while let Ok(read @ 1..) = pipe.read(&mut buffer) {
            let room = OUTPUT_LIMIT.saturating_sub(kept.len());
            kept.extend_from_slice(&buffer[..read.min(room)]);
        }
        let _ = send.send(kept);
    });
    receive
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn env_of<'a>(command: &'a Command, name: &str) -> Option<&'a std::ffi::OsStr> {
        command.get_envs().find(|(key, _)| *key == name).and_then(|(_, value)| value)
    }

    #[test]
    fn a_command_talks_to_the_server_only_from_its_scratch_home() {
        let cli = ClaudeCli::at("/bin/false").unwrap();
        let command = cli.command(cli.project_dir(), "http://127.0.0.1:9");
        assert_eq!(command.get_current_dir(), Some(cli.project_dir()));
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, ["-p", "--output-format", "json", "--permission-mode", "bypassPermissions"]);
        assert_eq!(env_of(&command, "HOME"), Some(cli.home().as_os_str()));
        assert_eq!(env_of(&command, "TMPDIR"), Some(cli.tmp_dir().as_os_str()));
        assert_eq!(env_of(&command, "ANTHROPIC_BASE_URL").unwrap(), "http://127.0.0.1:9");
        assert_eq!(env_of(&command, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC").unwrap(), "1");
        assert!(cli.home().is_dir() && cli.tmp_dir().is_dir() && cli.project_dir().is_dir());
        assert!(cli.home().starts_with(std::env::temp_dir()));
    }

    #[test]
    fn the_environment_is_the_commands() {
        let cli = ClaudeCli::at("/bin/false").unwrap();
        let command = cli.command(cli.project_dir(), "http://127.0.0.1:9");
        let mut expected: Vec<(String, std::ffi::OsString)> =
            cli.env("http://127.0.0.1:9").into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let mut set: Vec<(String, std::ffi::OsString)> =
            command.get_envs().filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_owned()))).collect();
        expected.sort();
        set.sort();
        assert_eq!(set, expected);
        let names: Vec<&str> = cli.env("").iter().map(|(k, _)| *k).collect();
        for name in ["HOME", "TMPDIR", "ANTHROPIC_BASE_URL", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] {
            assert!(names.contains(&name), "{names:?}");
        }
    }

    #[test]
    fn the_scratch_folder_is_removed_on_drop() {
        let cli = ClaudeCli::at("/bin/false").unwrap();
        let other = ClaudeCli::at("/bin/false").unwrap();
        assert_ne!(cli.home(), other.home());
        let root = cli.scratch.root.clone();
        std::fs::write(cli.home().join("file"), "x").unwrap();
        drop(cli);
        assert!(!root.exists());
        assert!(other.home().is_dir());
    }

    #[tokio::test]
    async fn the_environment_is_cleared_but_for_path() {
        let cli = ClaudeCli::at("/bin/false").unwrap();
        let mut command = Command::new("env");
        isolate(&mut command, cli.home(), cli.tmp_dir());
        let output = output_within(command, Duration::from_secs(10)).await.unwrap();
        assert!(output.success(), "{output:?}");
        let mut names: Vec<&str> = output.stdout.lines().filter_map(|line| line.split('=').next()).collect();
        names.sort_unstable();
        assert_eq!(names, ["HOME", "PATH", "TERM", "TMPDIR"]);
    }

    #[tokio::test]
    async fn a_child_past_its_timeout_is_killed() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo started; exec sleep 30"]);
        let output = output_within(command, Duration::from_millis(300)).await.unwrap();
        assert!(output.timed_out && !output.success());
        assert!(output.elapsed < Duration::from_secs(10), "{:?}", output.elapsed);
        assert_eq!(output.stdout, "started\n");
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_panic() {
        let cli = ClaudeCli::at("/nonexistent/claude").unwrap();
        assert!(cli.version().is_err());
    }
}
