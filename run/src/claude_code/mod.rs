//! Claude Code headless: `claude -p` as a child process, its reply whole
//! (`--output-format json`) or streamed (`stream-json`), and repairs that resume the session
//! the earlier call left.

use std::collections::hash_map::{DefaultHasher, RandomState};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use agentbind::{Model, Tool};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::process::{ChildStderr, ChildStdin, ChildStdout};

use crate::client::{
    BoxFuture, Chunk, ChunkStream, Completion, Message, ModelClient, ModelRequest, Role, Usage,
};
use crate::error::{truncate, ModelError, ERROR_BODY_LIMIT};
use crate::models::ModelMap;

/// The most bytes of output read, and of one line of streamed output: the reply limit with
/// room for JSON escapes.
const BODY_LIMIT: usize = 2 * agentbind::MAX_REPLY_BYTES;

/// How many conversations a client remembers the session of.
const REMEMBERED_SESSIONS: usize = 64;

/// The longest session id remembered (the CLI's are UUIDs, 36 characters).
const SESSION_ID_LIMIT: usize = 128;

/// What the CLI says, on stderr and in its result, when `--resume` names a session it does
/// not have.
const NO_SESSION: &str = "No conversation found with session ID";

/// Runs agents through Claude Code's headless mode:
/// `claude -p --output-format json --system-prompt <body> [--model <id>] [--tools <names>
/// --allowedTools <entries>] [--disallowedTools <entries>] [--permission-mode <mode>]
/// [--max-turns <n>]`, with the prompt on stdin.
///
/// * The agent's `tools` restrict what Claude Code may use (`--tools`, by name: `Bash(git:*)`
///   makes `Bash` available) and are pre-approved as written (`--allowedTools`): a headless
///   run has no one to approve a tool, so without it `Write` or `Bash` would be denied.
///   An agent without `tools` is unrestricted.
/// * Its Claude Code `disallowedTools`, `permissionMode` and `maxTurns` become
///   `--disallowedTools`, `--permission-mode` and `--max-turns`; the other keys (`skills`,
///   `mcpServers`, `hooks`, `effort`...) are not passed.
/// * Its `model` goes through a [`ModelMap`], empty by default, so aliases (`opus`) are passed
///   as Claude Code understands them and `inherit` passes no `--model`.
///
/// **Repairs resume the session.** The client remembers, for the last 64 conversations it
/// answered, the session the CLI kept (by a keyed hash of the call's settings and every
/// message, the reply included). A request that continues one of them runs
/// `--resume <session> --fork-session` and sends only its last message: the CLI sends the
/// model the whole earlier conversation, tool calls included. Forking leaves the remembered
/// session as it was, so the same conversation can be continued again. Any other request
/// starts a new session, with a prompt that holds the whole conversation (the first prompt,
/// each reply and each repair request). Clones share what is remembered.
///
/// [`stream`](ModelClient::stream) runs `--output-format stream-json --verbose
/// --include-partial-messages` and gives the text as the model writes it. When the model
/// works in several turns (calling tools in between), the text of every turn is given, a
/// blank line between turns, while [`complete`](ModelClient::complete) gives the CLI's
/// `result`, the last turn's text.
///
/// The cost (`total_cost_usd`) and the tokens (`usage`, the input counting cache reads and
/// writes) reach the report; a resumed call counts only what it added. Dropping a call, or a
/// stream, kills the child.
///
/// The system prompt is one argument, and Linux limits one argument to 128 KiB: a larger
/// system prompt fails with [`ModelError::Spawn`] (the largest Ring agent's is 45 KB).
#[derive(Clone)]
pub struct ClaudeCode {
    program: PathBuf,
    models: ModelMap,
    args: Vec<String>,
    working_dir: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
    env_clear: bool,
    sessions: Arc<Sessions>,
}

impl Default for ClaudeCode {
    fn default() -> Self {
        Self::new()
    }
}

/// The variables' names only: their values may be keys.
impl std::fmt::Debug for ClaudeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let env: Vec<_> = self.env.iter().map(|(key, _)| key).collect();
        f.debug_struct("ClaudeCode")
            .field("program", &self.program)
            .field("models", &self.models)
            .field("args", &self.args)
            .field("working_dir", &self.working_dir)
            .field("env", &env)
            .field("env_clear", &self.env_clear)
            .finish_non_exhaustive()
    }
}

impl ClaudeCode {
    /// Runs `claude` from `PATH`.
    pub fn new() -> Self {
        Self::with_program("claude")
    }

    /// Runs `program` instead of `claude` (an absolute path, or a stand-in for tests).
    pub fn with_program(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            models: ModelMap::new(),
            args: Vec::new(),
            working_dir: None,
            env: Vec::new(),
            env_clear: false,
            sessions: Arc::new(Sessions::default()),
        }
    }

    /// Sends `--model id` for agents whose `model` is `model`.
    pub fn map_model(mut self, model: Model, id: impl Into<String>) -> Self {
        self.models = self.models.alias(model, id);
        self
    }

    /// Adds arguments to every call (`--mcp-config`, `--settings`...), after the ones made
    /// from the agent. With `--no-session-persistence`, repairs resend the conversation as
    /// one prompt.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Runs Claude Code in `dir` (the project it works on).
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    /// Sets an environment variable of the child (`ANTHROPIC_BASE_URL`, `CLAUDE_CONFIG_DIR`...).
    /// `Debug` shows the names only.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Starts the child with no variable but those given with [`env`](Self::env), instead of
    /// this process's environment with them.
    pub fn env_clear(mut self) -> Self {
        self.env_clear = true;
        self
    }

    /// The arguments of a call for `request` that starts a new session, whole
    /// (`--output-format json`; the prompt goes on stdin).
    pub fn arguments(&self, request: &ModelRequest<'_>) -> Vec<String> {
        let mut args = output_format(false);
        args.extend(self.settings_arguments(request));
        args
    }

    /// The arguments made from the request and the client, without the output format.
    fn settings_arguments(&self, request: &ModelRequest<'_>) -> Vec<String> {
        let mut args = vec!["--system-prompt".to_owned(), request.system.to_owned()];
        if let Some(model) = self.models.resolve(request.model) {
            args.push("--model".to_owned());
            args.push(model);
        }
        if !request.tools.is_empty() {
            let mut names: Vec<String> = Vec::new();
            for tool in request.tools {
                let name = tool_name(*tool);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            args.push("--tools".to_owned());
            args.push(names.join(","));
            args.push("--allowedTools".to_owned());
            args.push(tool_list(request.tools));
        }
        let settings = &request.claude_code;
        if !settings.disallowed_tools.is_empty() {
            args.push("--disallowedTools".to_owned());
            args.push(tool_list(settings.disallowed_tools));
        }
        if let Some(mode) = settings.permission_mode {
            args.push("--permission-mode".to_owned());
            args.push(mode.to_owned());
        }
        if let Some(turns) = settings.max_turns {
            args.push("--max-turns".to_owned());
            args.push(turns.to_string());
        }
        args.extend(self.args.iter().cloned());
        args
    }

    fn program_name(&self) -> String {
        self.program.display().to_string()
    }

    /// What a call for `request` runs: a resumed session when the conversation before its
    /// last message is one this client answered, else a new one.
    fn call(&self, request: &ModelRequest<'_>, stream: bool) -> Call {
        let settings = self.settings_arguments(request);
        let remembers = !self.args.iter().any(|a| a == "--no-session-persistence");
        let mut key = self.invocation_key(&settings);
        let mut resume = None;
        if let [earlier @ .., last] = request.messages {
            for message in earlier {
                key.message(message.role, &message.content);
            }
            if remembers && !earlier.is_empty() && last.role == Role::User {
                resume = self.sessions.find(key.finish()).map(|session| (session, last.content.clone()));
            }
            key.message(last.role, &last.content);
        }
        let mut args = output_format(stream);
        args.extend(settings);
        let fresh = |args| Attempt { args, prompt: transcript(request.messages), resumed: None };
        let (attempt, fallback) = match resume {
            Some((session, prompt)) => {
                let mut resuming = args.clone();
                resuming.extend(["--resume".to_owned(), session.id.clone(), "--fork-session".to_owned()]);
                (Attempt { args: resuming, prompt, resumed: Some(session) }, Some(fresh(args)))
            }
            None => (fresh(args), None),
        };
        Call { attempt, fallback, key: remembers.then_some(key) }
    }

    /// The start of a conversation's key: everything about the call but its messages.
    fn invocation_key(&self, settings: &[String]) -> Key {
        let mut key = Key::new(self.sessions.keys.build_hasher());
        key.field(self.program.as_os_str().as_encoded_bytes());
        key.field(self.working_dir.as_deref().map_or(&[][..], |dir| dir.as_os_str().as_encoded_bytes()));
        key.field(&[u8::from(self.env_clear)]);
        for (name, value) in &self.env {
            key.field(name.as_encoded_bytes());
            key.field(value.as_encoded_bytes());
        }
        for arg in settings {
            key.field(arg.as_bytes());
        }
        key
    }

    fn spawn(&self, attempt: &Attempt) -> Result<Child, ModelError> {
        let program = self.program_name();
        let mut command = tokio::process::Command::new(&self.program);
        if self.env_clear {
            command.env_clear();
        }
        command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(&attempt.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(dir) = &self.working_dir {
            command.current_dir(dir);
        }
        let mut child = command
            .spawn()
            .map_err(|e| ModelError::Spawn { program: program.clone(), message: e.to_string() })?;
        Ok(Child {
            stdin: child.stdin.take(),
            stdout: child.stdout.take(),
            stderr: child.stderr.take(),
            child,
            program,
            prompt: attempt.prompt.clone().into_bytes(),
            written: 0,
            kept_stderr: Vec::new(),
            out: Vec::new(),
        })
    }

    /// Runs `call` to its end: its whole output, then the exit.
    async fn complete_call(&self, call: Call) -> Result<Completion, ModelError> {
        let Call { attempt, fallback, key } = call;
        let (outcome, attempt) = match (self.run_whole(&attempt).await, fallback) {
            (Err(ModelError::Process { message, .. }), Some(fallback)) if message.contains(NO_SESSION) => {
                self.sessions.forget(attempt.resumed.as_ref());
                (self.run_whole(&fallback).await, fallback)
            }
            (outcome, _) => (outcome, attempt),
        };
        let (mut completion, session) = outcome?;
        completion.cost_usd = session.cost_usd.map(|total| attempt.cost_of(total));
        if let (Some(mut key), Some(id)) = (key, session.id) {
            key.message(Role::Assistant, &completion.text);
            self.sessions.remember(key.finish(), id, session.cost_usd);
        }
        Ok(completion)
    }

    async fn run_whole(&self, attempt: &Attempt) -> Result<(Completion, SessionOf), ModelError> {
        let mut child = self.spawn(attempt)?;
        // Past the limit, the call fails at once (and the child is killed when dropped),
        // rather than leaving it blocked on a full pipe.
        while child.read_more().await? {
            if child.out.len() > BODY_LIMIT {
                return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
            }
        }
        let (status, stderr) = child.finish().await?;
        let out = std::mem::take(&mut child.out);
        if !status.success() {
            let message = if stderr.is_empty() { result_error(&out) } else { stderr };
            return Err(ModelError::Process { program: child.program, code: status.code(), message });
        }
        completion(&child.program, &out)
    }
}

/// `--tools` takes names: a scoped entry (`Bash(git:*)`) gives its tool's.
fn tool_name(tool: Tool<'_>) -> String {
    match tool {
        Tool::Scoped { name, .. } => name.to_owned(),
        tool => tool.to_text(),
    }
}

/// Entries as written, comma-separated.
fn tool_list(tools: &[Tool<'_>]) -> String {
    tools.iter().map(|t| t.to_text()).collect::<Vec<_>>().join(",")
}

fn output_format(stream: bool) -> Vec<String> {
    let mut args = vec!["-p".to_owned(), "--output-format".to_owned()];
    if stream {
        args.extend(["stream-json", "--verbose", "--include-partial-messages"].map(str::to_owned));
    } else {
        args.push("json".to_owned());
    }
    args
}

/// The error of a constrained call: Claude Code takes no grammar.
fn no_grammar() -> ModelError {
    ModelError::Config("Claude Code takes no grammar: run with `Constraint::Off` or `Auto`".to_owned())
}

/// The prompt of a call: the one message, or for a repair the whole conversation in one text.
pub(crate) fn transcript(messages: &[Message]) -> String {
    if let [only] = messages {
        return only.content.clone();
    }
    let mut out = String::new();
    for (i, message) in messages.iter().enumerate() {
        match (i, message.role) {
            (0, _) => {}
            (_, Role::Assistant) => out.push_str("\n\n---\n\nYour previous reply was:\n\n"),
            (_, Role::User) => out.push_str("\n\n---\n\n"),
        }
        out.push_str(&message.content);
    }
    out
}

/// One run of the child: its arguments, its stdin, and the session it resumes.
struct Attempt {
    args: Vec<String>,
    prompt: String,
    resumed: Option<Remembered>,
}

impl Attempt {
    /// This call's share of `total`, the session's cost so far as the CLI reports it: a
    /// resumed session counts the calls before too.
    fn cost_of(&self, total: f64) -> f64 {
        match self.resumed.as_ref().and_then(|session| session.cost_usd) {
            Some(before) => (total - before).max(0.0),
            None => total,
        }
    }
}

/// A call: the attempt, a new session to fall back on when the resumed one is gone, and the
/// key of the conversation so far (to which the reply is added), when sessions are kept.
struct Call {
    attempt: Attempt,
    fallback: Option<Attempt>,
    key: Option<Key>,
}

/// A session the CLI kept.
#[derive(Debug, Clone)]
struct Remembered {
    key: u64,
    id: String,
    /// The session's cost so far, as the CLI reported it.
    cost_usd: Option<f64>,
}

/// The sessions of the last [`REMEMBERED_SESSIONS`] conversations, oldest first.
#[derive(Default)]
struct Sessions {
    keys: RandomState,
    entries: Mutex<VecDeque<Remembered>>,
}

impl Sessions {
    fn find(&self, key: u64) -> Option<Remembered> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.iter().find(|entry| entry.key == key).cloned()
    }

    fn remember(&self, key: u64, id: String, cost_usd: Option<f64>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|entry| entry.key != key);
        entries.push_back(Remembered { key, id, cost_usd });
        while entries.len() > REMEMBERED_SESSIONS {
            entries.pop_front();
        }
    }

    fn forget(&self, session: Option<&Remembered>) {
        if let Some(session) = session {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            entries.retain(|entry| entry.key != session.key);
        }
    }
}

/// A conversation's key: a keyed hash of the call's settings and its messages. Bytes go to
/// the hasher in blocks of a fixed size, so a reply hashed piece by piece as it streams
/// hashes as it does whole (`Hasher` does not promise that of its own `write` calls).
#[derive(Clone)]
struct Key {
    hasher: DefaultHasher,
    block: [u8; 64],
    filled: usize,
}

impl Key {
    fn new(hasher: DefaultHasher) -> Self {
        Self { hasher, block: [0; 64], filled: 0 }
    }

    fn bytes(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = (self.block.len() - self.filled).min(bytes.len());
            self.block[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled == self.block.len() {
                self.hasher.write(&self.block);
                self.filled = 0;
            }
        }
    }

    /// A field of the settings, its length first.
    fn field(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }

    /// A message: its role, its text, then a byte no UTF-8 text holds.
    fn message(&mut self, role: Role, text: &str) {
        self.start_message(role);
        self.bytes(text.as_bytes());
        self.end_message();
    }

    fn start_message(&mut self, role: Role) {
        self.bytes(&[match role {
            Role::User => 1,
            Role::Assistant => 2,
        }]);
    }

    fn end_message(&mut self) {
        self.bytes(&[0xff]);
    }

    fn finish(&self) -> u64 {
        let mut hasher = self.hasher.clone();
        hasher.write(&self.block[..self.filled]);
        hasher.finish()
    }
}

/// A running `claude`: the prompt is written to its stdin and its stderr is drained (keeping
/// the first 8 KiB) while its stdout is read, so it never blocks on a full pipe.
struct Child {
    program: String,
    child: tokio::process::Child,
    stdin: Option<ChildStdin>,
    prompt: Vec<u8>,
    written: usize,
    stdout: Option<ChildStdout>,
    stderr: Option<ChildStderr>,
    kept_stderr: Vec<u8>,
    /// Stdout read and not taken yet.
    out: Vec<u8>,
}

impl Child {
    /// Reads more of stdout into `out`; `false` at its end.
    async fn read_more(&mut self) -> Result<bool, ModelError> {
        std::future::poll_fn(|cx| self.poll_read_more(cx)).await
    }

    fn poll_read_more(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, ModelError>> {
        self.poll_stdin(cx);
        self.poll_stderr(cx);
        let Some(stdout) = self.stdout.as_mut() else { return Poll::Ready(Ok(false)) };
        let mut buffer = [0u8; 16 * 1024];
        let mut read = ReadBuf::new(&mut buffer);
        match Pin::new(stdout).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) if read.filled().is_empty() => {
                self.stdout = None;
                Poll::Ready(Ok(false))
            }
            Poll::Ready(Ok(())) => {
                self.out.extend_from_slice(read.filled());
                Poll::Ready(Ok(true))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(ModelError::Process {
                program: self.program.clone(),
                code: None,
                message: e.to_string(),
            })),
        }
    }

    /// Writes the prompt until the pipe is full, then closes stdin. A child that exits
    /// without reading its input is reported by its exit.
    fn poll_stdin(&mut self, cx: &mut Context<'_>) {
        while let Some(stdin) = self.stdin.as_mut() {
            let progress = if self.written < self.prompt.len() {
                match Pin::new(stdin).poll_write(cx, &self.prompt[self.written..]) {
                    Poll::Ready(Ok(written @ 1..)) => {
                        self.written += written;
                        continue;
                    }
                    Poll::Ready(_) => None,
                    Poll::Pending => Some(()),
                }
            } else {
                match Pin::new(stdin).poll_shutdown(cx) {
                    Poll::Pending => Some(()),
                    Poll::Ready(_) => None,
                }
            };
            match progress {
                Some(()) => return,
                None => self.stdin = None,
            }
        }
    }

    /// Reads stderr until the pipe is empty, keeping the first bytes.
    fn poll_stderr(&mut self, cx: &mut Context<'_>) {
        while let Some(stderr) = self.stderr.as_mut() {
            let mut buffer = [0u8; 8192];
            let mut read = ReadBuf::new(&mut buffer);
            match Pin::new(stderr).poll_read(cx, &mut read) {
                Poll::Pending => return,
                Poll::Ready(Ok(())) if !read.filled().is_empty() => {
                    let room = ERROR_BODY_LIMIT.saturating_sub(self.kept_stderr.len());
                    let filled = read.filled();
                    self.kept_stderr.extend_from_slice(&filled[..filled.len().min(room)]);
                }
                Poll::Ready(_) => self.stderr = None,
            }
        }
    }

    /// The next line of stdout, without its `\n`; `None` at its end. A line over
    /// [`BODY_LIMIT`] is an error.
    async fn next_line(&mut self) -> Result<Option<Vec<u8>>, ModelError> {
        let mut searched = 0;
        loop {
            if let Some(at) = self.out[searched..].iter().position(|&b| b == b'\n') {
                let rest = self.out.split_off(searched + at + 1);
                let mut line = std::mem::replace(&mut self.out, rest);
                line.pop();
                return within_line_limit(line).map(Some);
            }
            searched = self.out.len();
            within_line_limit(&self.out)?;
            if !self.read_more().await? {
                return match std::mem::take(&mut self.out) {
                    line if line.is_empty() => Ok(None),
                    line => within_line_limit(line).map(Some),
                };
            }
        }
    }

    /// Once stdout has ended: closes stdin, reads stderr to its end (a child whose stderr pipe
    /// fills up blocks, and would never exit) and waits for the exit.
    async fn finish(&mut self) -> Result<(ExitStatus, String), ModelError> {
        self.stdin = None;
        std::future::poll_fn(|cx| {
            self.poll_stderr(cx);
            if self.stderr.is_some() {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        let status = self.child.wait().await.map_err(|e| ModelError::Process {
            program: self.program.clone(),
            code: None,
            message: e.to_string(),
        })?;
        Ok((status, String::from_utf8_lossy(&self.kept_stderr).trim().to_owned()))
    }
}

fn within_line_limit<T: AsRef<[u8]>>(line: T) -> Result<T, ModelError> {
    if line.as_ref().len() > BODY_LIMIT {
        return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
    }
    Ok(line)
}

impl ModelClient for ClaudeCode {
    fn backend(&self) -> &str {
        "claude-code"
    }

    fn model_id(&self, model: Model) -> Option<String> {
        self.models.resolve(model)
    }

    fn complete<'a>(&'a self, request: &ModelRequest<'_>) -> BoxFuture<'a, Result<Completion, ModelError>> {
        if request.grammar.is_some() {
            return Box::pin(async { Err(no_grammar()) });
        }
        let call = self.call(request, false);
        Box::pin(self.complete_call(call))
    }

    fn stream<'a>(
        &'a self,
        request: &ModelRequest<'_>,
    ) -> BoxFuture<'a, Result<ChunkStream<'a>, ModelError>> {
        if request.grammar.is_some() {
            return Box::pin(async { Err(no_grammar()) });
        }
        let call = self.call(request, true);
        Box::pin(async move {
            let child = self.spawn(&call.attempt)?;
            let streaming = Streaming {
                client: self,
                child,
                call,
                pending: VecDeque::new(),
                text_len: 0,
                new_turn: false,
                reply_key: None,
                result: None,
                over: false,
            };
            let chunks = futures_util::stream::unfold(streaming, |mut streaming| async move {
                let chunk = streaming.next().await?;
                Some((chunk, streaming))
            });
            Ok(Box::pin(chunks) as ChunkStream<'a>)
        })
    }
}

/// A streamed call: the child's `stream-json` lines become chunks.
struct Streaming<'a> {
    client: &'a ClaudeCode,
    child: Child,
    call: Call,
    pending: VecDeque<Result<Chunk, ModelError>>,
    /// Bytes of text given so far.
    text_len: usize,
    /// Whether the model started a new turn since the last text.
    new_turn: bool,
    /// The conversation's key with the text given so far added.
    reply_key: Option<Key>,
    /// The `result` line.
    result: Option<Value>,
    over: bool,
}

impl Streaming<'_> {
    async fn next(&mut self) -> Option<Result<Chunk, ModelError>> {
        loop {
            if let Some(chunk) = self.pending.pop_front() {
                return Some(chunk);
            }
            if self.over {
                return None;
            }
            let step = match self.child.next_line().await {
                Ok(Some(line)) => self.line(&line),
                Ok(None) => self.end().await,
                Err(error) => Err(error),
            };
            if let Err(error) = step {
                self.pending.push_back(Err(error));
                self.over = true;
            }
        }
    }

    /// One line of output: text deltas of the main conversation become chunks, the
    /// `result` is kept for the end.
    fn line(&mut self, line: &[u8]) -> Result<(), ModelError> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let value: Value = serde_json::from_slice(line).map_err(|e| ModelError::InvalidResponse {
            message: format!("`{}` printed a line that is not JSON: {e}", self.child.program),
            body: truncate(&String::from_utf8_lossy(line), ERROR_BODY_LIMIT).to_owned(),
        })?;
        match value["type"].as_str() {
            Some("stream_event") if value["parent_tool_use_id"].is_null() => {
                let event = &value["event"];
                match event["type"].as_str() {
                    Some("message_start") => self.new_turn = true,
                    Some("content_block_delta") if event["delta"]["type"] == "text_delta" => {
                        if let Some(text) = event["delta"]["text"].as_str().filter(|t| !t.is_empty()) {
                            let text = if self.new_turn && self.text_len > 0 {
                                format!("\n\n{text}")
                            } else {
                                text.to_owned()
                            };
                            self.new_turn = false;
                            self.text(text);
                        }
                    }
                    _ => {}
                }
            }
            Some("result") => self.result = Some(value),
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, text: String) {
        if self.text_len == 0 {
            self.reply_key = self.call.key.clone().map(|mut key| {
                key.start_message(Role::Assistant);
                key
            });
        }
        if let Some(key) = self.reply_key.as_mut() {
            key.bytes(text.as_bytes());
        }
        self.text_len += text.len();
        self.pending.push_back(Ok(Chunk::Text(text)));
    }

    /// Stdout ended: the exit and the `result` line say how the call went.
    async fn end(&mut self) -> Result<(), ModelError> {
        let (status, stderr) = self.child.finish().await?;
        let result = self.result.take();
        if !status.success() {
            let message = match result.as_ref().and_then(result_failure) {
                Some(failure) if stderr.is_empty() => failure,
                _ => stderr,
            };
            if self.text_len == 0 && message.contains(NO_SESSION) {
                if let Some(fallback) = self.call.fallback.take() {
                    self.client.sessions.forget(self.call.attempt.resumed.as_ref());
                    self.child = self.client.spawn(&fallback)?;
                    self.call.attempt = fallback;
                    return Ok(());
                }
            }
            let program = self.child.program.clone();
            return Err(ModelError::Process { program, code: status.code(), message });
        }
        let Some(result) = result else {
            return Err(ModelError::StreamCut {
                received: self.text_len,
                message: format!("`{}` ended without a result", self.child.program),
            });
        };
        let (completion, session) = completion_of(&self.child.program, &result)?;
        if self.text_len == 0 && !completion.text.is_empty() {
            // A CLI that does not stream partial messages still gives the whole reply.
            self.text(completion.text);
        }
        self.pending.push_back(Ok(Chunk::Usage(completion.usage)));
        if let Some(model) = completion.model {
            self.pending.push_back(Ok(Chunk::Model(model)));
        }
        if let Some(total) = session.cost_usd {
            self.pending.push_back(Ok(Chunk::CostUsd(self.call.attempt.cost_of(total))));
        }
        self.pending.push_back(Ok(Chunk::Finished { reason: completion.finish_reason }));
        if let (Some(mut key), Some(id)) = (self.reply_key.take(), session.id) {
            key.end_message();
            self.client.sessions.remember(key.finish(), id, session.cost_usd);
        }
        self.over = true;
        Ok(())
    }
}

/// The session a result names, and its cost so far.
struct SessionOf {
    id: Option<String>,
    cost_usd: Option<f64>,
}

/// The error text of a JSON result, for a child that failed without writing to stderr.
fn result_error(out: &[u8]) -> String {
    match serde_json::from_slice::<Value>(out) {
        Ok(result) => result_failure(&result).unwrap_or_else(|| result_text(&result)),
        Err(_) => truncate(&String::from_utf8_lossy(out), ERROR_BODY_LIMIT).to_owned(),
    }
}

fn result_text(result: &Value) -> String {
    result["result"].as_str().unwrap_or_default().to_owned()
}

/// What an error result says (`error_max_turns: Reached maximum number of turns (2)`);
/// `None` for a result that is not an error.
fn result_failure(result: &Value) -> Option<String> {
    let subtype = result["subtype"].as_str();
    if result["is_error"].as_bool() != Some(true) && subtype.is_none_or(|s| s == "success") {
        return None;
    }
    let errors: Vec<&str> = match result["errors"].as_array() {
        Some(errors) => errors.iter().filter_map(Value::as_str).filter(|e| !e.is_empty()).collect(),
        None => Vec::new(),
    };
    let text = match result["result"].as_str() {
        _ if !errors.is_empty() => errors.join("; "),
        Some(text) if !text.is_empty() => text.to_owned(),
        _ => String::new(),
    };
    let subtype = subtype.unwrap_or("error");
    Some(match text.is_empty() {
        true => format!("result `{subtype}`"),
        false if subtype == "success" => text,
        false => format!("{subtype}: {text}"),
    })
}

/// The completion in Claude Code's `--output-format json` result.
fn completion(program: &str, out: &[u8]) -> Result<(Completion, SessionOf), ModelError> {
    let result: Value = serde_json::from_slice(out).map_err(|e| ModelError::InvalidResponse {
        message: format!("`{program}` did not print a JSON result: {e}"),
        body: truncate(&String::from_utf8_lossy(out), ERROR_BODY_LIMIT).to_owned(),
    })?;
    completion_of(program, &result)
}

/// The completion in a result object (whole, or the last line of `stream-json`). Its cost is
/// the session's so far.
fn completion_of(program: &str, result: &Value) -> Result<(Completion, SessionOf), ModelError> {
    if let Some(message) = result_failure(result) {
        return Err(ModelError::Process { program: program.to_owned(), code: Some(0), message });
    }
    let text = match &result["result"] {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        _ => {
            return Err(ModelError::InvalidResponse {
                message: "`result` is not text".to_owned(),
                body: truncate(&result.to_string(), ERROR_BODY_LIMIT).to_owned(),
            })
        }
    };
    if text.len() > agentbind::MAX_REPLY_BYTES {
        return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
    }
    let usage = &result["usage"];
    let tokens = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    let cost_usd = result["total_cost_usd"].as_f64().filter(|cost| cost.is_finite());
    let completion = Completion {
        text,
        usage: Usage {
            input_tokens: tokens("input_tokens")
                .saturating_add(tokens("cache_read_input_tokens"))
                .saturating_add(tokens("cache_creation_input_tokens")),
            output_tokens: tokens("output_tokens"),
        },
        model: result["modelUsage"].as_object().and_then(|models| models.keys().next().cloned()),
        finish_reason: result["subtype"].as_str().map(str::to_owned),
        cost_usd,
    };
    let id = result["session_id"].as_str().filter(|id| is_session_id(id)).map(str::to_owned);
    Ok((completion, SessionOf { id, cost_usd }))
}

/// Whether `id` can be passed back as `--resume <id>`: letters, digits, `-` and `_`, not
/// starting with `-` (which would read as an option).
fn is_session_id(id: &str) -> bool {
    (1..=SESSION_ID_LIMIT).contains(&id.len())
        && !id.starts_with('-')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentbind::ClaudeCodeSettings;

    #[test]
    fn a_repair_sends_the_whole_conversation_as_one_prompt() {
        let messages =
            [Message::user("Do X."), Message::assistant("## Wrong"), Message::user("Add ## Summary.")];
        assert_eq!(
            transcript(&messages),
            "Do X.\n\n---\n\nYour previous reply was:\n\n## Wrong\n\n---\n\nAdd ## Summary."
        );
        assert_eq!(transcript(&messages[..1]), "Do X.");
    }

    const TOOLS: &[Tool<'static>] = &[
        Tool::Read,
        Tool::Scoped { name: "Bash", argument: "git:*" },
        Tool::Scoped { name: "Bash", argument: "ls:*" },
        Tool::Mcp { server: "github", tool: "search" },
    ];

    fn request<'a>(messages: &'a [Message], settings: ClaudeCodeSettings<'a>) -> ModelRequest<'a> {
        ModelRequest {
            agent: "a",
            model: Model::Opus,
            system: "You review.",
            messages,
            tools: TOOLS,
            claude_code: settings,
            max_tokens: None,
            temperature: None,
            grammar: None,
        }
    }

    #[test]
    fn the_agents_settings_become_arguments() {
        let mut settings = ClaudeCodeSettings::NONE;
        settings.disallowed_tools = &[Tool::Write, Tool::Scoped { name: "Bash", argument: "rm:*" }];
        settings.permission_mode = Some("plan");
        settings.max_turns = Some(3);
        let messages = [Message::user("Go.")];
        let client = ClaudeCode::new().arg("--mcp-config").arg("m.json");
        assert_eq!(
            client.arguments(&request(&messages, settings)),
            [
                "-p",
                "--output-format",
                "json",
                "--system-prompt",
                "You review.",
                "--model",
                "opus",
                "--tools",
                "Read,Bash,mcp__github__search",
                "--allowedTools",
                "Read,Bash(git:*),Bash(ls:*),mcp__github__search",
                "--disallowedTools",
                "Write,Bash(rm:*)",
                "--permission-mode",
                "plan",
                "--max-turns",
                "3",
                "--mcp-config",
                "m.json",
            ]
        );
        let mut unrestricted = request(&messages, ClaudeCodeSettings::NONE);
        unrestricted.tools = &[];
        unrestricted.model = Model::Inherit;
        assert_eq!(
            client.arguments(&unrestricted),
            ["-p", "--output-format", "json", "--system-prompt", "You review.", "--mcp-config", "m.json"]
        );
    }

    #[test]
    fn a_continued_conversation_resumes_its_session_and_sends_its_last_message() {
        let client = ClaudeCode::new();
        let first = [Message::user("Do X.")];
        let call = client.call(&request(&first, ClaudeCodeSettings::NONE), false);
        assert!(call.attempt.resumed.is_none() && call.fallback.is_none());
        let mut key = call.key.unwrap();
        key.message(Role::Assistant, "## Wrong");
        client.sessions.remember(key.finish(), "s-1".to_owned(), Some(0.5));

        let repair = [Message::user("Do X."), Message::assistant("## Wrong"), Message::user("Fix it.")];
        let call = client.call(&request(&repair, ClaudeCodeSettings::NONE), true);
        assert_eq!(call.attempt.prompt, "Fix it.");
        assert!(call.attempt.args.ends_with(&["--resume".into(), "s-1".into(), "--fork-session".into()]));
        assert_eq!(call.attempt.cost_of(0.75), 0.25);
        let fallback = call.fallback.unwrap();
        assert_eq!(fallback.prompt, transcript(&repair));
        assert!(!fallback.args.contains(&"--resume".to_owned()));

        // Another reply, system prompt or client is another conversation.
        let other = [Message::user("Do X."), Message::assistant("## Other"), Message::user("Fix it.")];
        assert!(client.call(&request(&other, ClaudeCodeSettings::NONE), false).attempt.resumed.is_none());
        let mut changed = request(&repair, ClaudeCodeSettings::NONE);
        changed.system = "You write.";
        assert!(client.call(&changed, false).attempt.resumed.is_none());
        let elsewhere = client.clone().current_dir("/elsewhere");
        assert!(elsewhere.call(&request(&repair, ClaudeCodeSettings::NONE), false).attempt.resumed.is_none());
        let unkept = client.clone().arg("--no-session-persistence");
        let call = unkept.call(&request(&repair, ClaudeCodeSettings::NONE), false);
        assert!(call.attempt.resumed.is_none() && call.key.is_none());
    }

    #[test]
    fn at_most_64_sessions_are_remembered() {
        let sessions = Sessions::default();
        for key in 0..100u64 {
            sessions.remember(key, format!("s-{key}"), None);
        }
        assert!(sessions.find(35).is_none());
        assert_eq!(sessions.find(36).unwrap().id, "s-36");
        assert_eq!(sessions.entries.lock().unwrap().len(), 64);
        sessions.remember(36, "again".to_owned(), None);
        assert_eq!(sessions.find(36).unwrap().id, "again");
        assert_eq!(sessions.entries.lock().unwrap().len(), 64);
    }

    #[test]
    fn a_key_does_not_depend_on_how_the_text_is_split() {
        let keys = RandomState::new();
        let mut whole = Key::new(keys.build_hasher());
        whole.message(Role::Assistant, &"x".repeat(200));
        let mut pieces = Key::new(keys.build_hasher());
        pieces.start_message(Role::Assistant);
        for piece in [1, 63, 64, 7, 65] {
            pieces.bytes("x".repeat(piece).as_bytes());
        }
        pieces.end_message();
        assert_eq!(whole.finish(), pieces.finish());
        let mut shorter = Key::new(keys.build_hasher());
        shorter.message(Role::Assistant, &"x".repeat(199));
        assert_ne!(whole.finish(), shorter.finish());
    }

    #[test]
    fn only_plain_session_ids_are_passed_back() {
        assert!(is_session_id("cad66ad6-f51f-425c-8b0e-d96d8f48aecf"));
        assert!(!is_session_id("--dangerously-skip-permissions"));
        assert!(!is_session_id("a b"));
        assert!(!is_session_id(""));
        assert!(!is_session_id(&"a".repeat(129)));
    }

    #[test]
    fn an_error_result_says_why() {
        let result = serde_json::json!({"type": "result", "subtype": "error_max_turns", "is_error": true,
            "result": null, "errors": ["Reached maximum number of turns (2)"]});
        assert_eq!(result_failure(&result).unwrap(), "error_max_turns: Reached maximum number of turns (2)");
        let result = serde_json::json!({"subtype": "success", "is_error": true, "result": "Invalid API key"});
        assert_eq!(result_failure(&result).unwrap(), "Invalid API key");
        let result = serde_json::json!({"subtype": "error_during_execution", "is_error": true});
        assert_eq!(result_failure(&result).unwrap(), "result `error_during_execution`");
        assert!(result_failure(&serde_json::json!({"subtype": "success", "is_error": false})).is_none());
    }
}
