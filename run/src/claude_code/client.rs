//! The client: [`ClaudeCode`], what it runs and with what, its builder methods, and its
//! [`ModelClient`] implementation.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use agentbind::Model;

use super::sessions::Sessions;
use crate::client::{BoxFuture, ChunkStream, Completion, ModelClient, ModelRequest};
use crate::error::ModelError;
use crate::models::ModelMap;

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
    pub(super) program: PathBuf,
    pub(super) models: ModelMap,
    pub(super) args: Vec<String>,
    pub(super) working_dir: Option<PathBuf>,
    pub(super) env: Vec<(OsString, OsString)>,
    pub(super) env_clear: bool,
    pub(super) sessions: Arc<Sessions>,
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
}

/// The error of a constrained call: Claude Code takes no grammar.
fn no_grammar() -> ModelError {
    ModelError::Config("Claude Code takes no grammar: run with `Constraint::Off` or `Auto`".to_owned())
}

impl ModelClient for ClaudeCode {
    fn backend(&self) -> &str {
        "claude-code"
    }

    fn model_id(&self, model: Model) -> Option<String> {
        self.models.resolve(model)
    }

    /// `--json-schema`.
    fn supports_json_schema(&self) -> bool {
        true
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
        if request.json_schema.is_some() {
            // The structured reply is a tool call, which stream-json does not give as text:
            // it comes whole, at the end.
            return crate::client::whole_as_stream(self.complete(request));
        }
        let call = self.call(request, true);
        Box::pin(self.stream_call(call))
    }
}
