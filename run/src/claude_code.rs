//! Claude Code headless: `claude -p` as a child process.

use std::path::PathBuf;
use std::process::Stdio;

use agentbind::Model;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::client::{BoxFuture, Completion, Message, ModelClient, ModelRequest, Role, Usage};
use crate::error::{truncate, ModelError, ERROR_BODY_LIMIT};
use crate::models::ModelMap;

/// The most bytes of output read: the reply limit with room for JSON escapes.
const BODY_LIMIT: usize = 2 * agentbind::MAX_REPLY_BYTES;

/// Runs agents through Claude Code's headless mode:
/// `claude -p --output-format json --system-prompt <body> [--model <id>] [--allowedTools <tools>]`,
/// with the prompt on stdin.
///
/// The agent's `tools` become `--allowedTools`; its `model` goes through a [`ModelMap`],
/// empty by default, so aliases (`opus`) are passed as Claude Code understands them and
/// `inherit` passes no `--model`. Claude Code keeps no conversation between calls here: a
/// repair turn sends one prompt that holds the first prompt, the earlier reply and what was
/// wrong with it. Dropping a call kills the child.
///
/// The system prompt is one argument, and Linux limits one argument to 128 KiB: a larger
/// system prompt fails with [`ModelError::Spawn`] (the largest Ring agent's is 45 KB).
#[derive(Debug, Clone)]
pub struct ClaudeCode {
    program: PathBuf,
    models: ModelMap,
    args: Vec<String>,
    working_dir: Option<PathBuf>,
}

impl Default for ClaudeCode {
    fn default() -> Self {
        Self::new()
    }
}

impl ClaudeCode {
    /// Runs `claude` from `PATH`.
    pub fn new() -> Self {
        Self::with_program("claude")
    }

    /// Runs `program` instead of `claude` (an absolute path, or a stand-in for tests).
    pub fn with_program(program: impl Into<PathBuf>) -> Self {
        Self { program: program.into(), models: ModelMap::new(), args: Vec::new(), working_dir: None }
    }

    /// Sends `--model id` for agents whose `model` is `model`.
    pub fn map_model(mut self, model: Model, id: impl Into<String>) -> Self {
        self.models = self.models.alias(model, id);
        self
    }

    /// Adds arguments to every call (`--permission-mode`, `--max-turns`, `--mcp-config`...).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Runs Claude Code in `dir` (the project it works on).
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    /// The arguments of a call for `request` (the prompt goes on stdin).
    pub fn arguments(&self, request: &ModelRequest<'_>) -> Vec<String> {
        let mut args = vec!["-p".to_owned(), "--output-format".to_owned(), "json".to_owned()];
        args.push("--system-prompt".to_owned());
        args.push(request.system.to_owned());
        if let Some(model) = self.models.resolve(request.model) {
            args.push("--model".to_owned());
            args.push(model);
        }
        if !request.tools.is_empty() {
            args.push("--allowedTools".to_owned());
            args.push(request.tools.iter().map(|t| t.to_text()).collect::<Vec<_>>().join(","));
        }
        args.extend(self.args.iter().cloned());
        args
    }

    fn program_name(&self) -> String {
        self.program.display().to_string()
    }
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

impl ModelClient for ClaudeCode {
    fn backend(&self) -> &str {
        "claude-code"
    }

    fn model_id(&self, model: Model) -> Option<String> {
        self.models.resolve(model)
    }

    fn complete<'a>(&'a self, request: &ModelRequest<'_>) -> BoxFuture<'a, Result<Completion, ModelError>> {
        let args = self.arguments(request);
        let prompt = transcript(request.messages);
        Box::pin(async move {
            let program = self.program_name();
            let mut command = tokio::process::Command::new(&self.program);
            command
                .args(&args)
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
            let mut stdin = child.stdin.take();
            let mut stdout = child.stdout.take();
            let mut stderr = child.stderr.take();
            let write = async {
                if let Some(stdin) = stdin.as_mut() {
                    // A child that exits without reading its input is reported by its exit.
                    let _ = stdin.write_all(prompt.as_bytes()).await;
                    let _ = stdin.shutdown().await;
                }
                drop(stdin.take());
            };
            let limit = BODY_LIMIT as u64;
            // Past the limit, the call fails at once (and the child is killed when dropped),
            // rather than leaving it blocked on a full pipe.
            let read_out = async {
                let mut out = Vec::new();
                if let Some(stdout) = stdout.as_mut() {
                    stdout.take(limit + 1).read_to_end(&mut out).await.map_err(|e| ModelError::Process {
                        program: program.clone(),
                        code: None,
                        message: e.to_string(),
                    })?;
                }
                if out.len() as u64 > limit {
                    return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
                }
                Ok(out)
            };
            // stderr is read to its end, keeping the first 8 KiB: a child whose stderr pipe
            // fills up blocks, and would never close its stdout.
            let read_err = async {
                let mut kept = Vec::new();
                if let Some(stderr) = stderr.as_mut() {
                    let mut buffer = [0u8; 8192];
                    while let Ok(read @ 1..) = stderr.read(&mut buffer).await {
                        let room = ERROR_BODY_LIMIT.saturating_sub(kept.len());
                        kept.extend_from_slice(&buffer[..read.min(room)]);
                    }
                }
                Ok::<_, ModelError>(kept)
            };
            let write = async {
                write.await;
                Ok::<_, ModelError>(())
            };
            let ((), out, err) = futures_util::future::try_join3(write, read_out, read_err).await?;
            let status = child.wait().await.map_err(|e| ModelError::Process {
                program: program.clone(),
                code: None,
                message: e.to_string(),
            })?;
            let stderr = String::from_utf8_lossy(&err).trim().to_owned();
            if !status.success() {
                let message = if stderr.is_empty() { result_error(&out) } else { stderr };
                return Err(ModelError::Process { program, code: status.code(), message });
            }
            completion(&program, &out)
        })
    }
}

/// The error text of a JSON result, for a child that failed without writing to stderr.
fn result_error(out: &[u8]) -> String {
    match serde_json::from_slice::<Value>(out) {
        Ok(result) => result["result"].as_str().unwrap_or_default().to_owned(),
        Err(_) => truncate(&String::from_utf8_lossy(out), ERROR_BODY_LIMIT).to_owned(),
    }
}

/// The completion in Claude Code's `--output-format json` result.
fn completion(program: &str, out: &[u8]) -> Result<Completion, ModelError> {
    let body = || truncate(&String::from_utf8_lossy(out), ERROR_BODY_LIMIT).to_owned();
    let result: Value = serde_json::from_slice(out).map_err(|e| ModelError::InvalidResponse {
        message: format!("`{program}` did not print a JSON result: {e}"),
        body: body(),
    })?;
    if result["is_error"].as_bool() == Some(true)
        || result["subtype"].as_str().is_some_and(|s| s != "success")
    {
        let message = match result["result"].as_str() {
            Some(text) if !text.is_empty() => text.to_owned(),
            _ => format!("result `{}`", result["subtype"].as_str().unwrap_or("error")),
        };
        return Err(ModelError::Process { program: program.to_owned(), code: Some(0), message });
    }
    let text = match &result["result"] {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        _ => {
            return Err(ModelError::InvalidResponse {
                message: "`result` is not text".to_owned(),
                body: body(),
            })
        }
    };
    if text.len() > agentbind::MAX_REPLY_BYTES {
        return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
    }
    let usage = &result["usage"];
    let tokens = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    Ok(Completion {
        text,
        usage: Usage {
            input_tokens: tokens("input_tokens")
                .saturating_add(tokens("cache_read_input_tokens"))
                .saturating_add(tokens("cache_creation_input_tokens")),
            output_tokens: tokens("output_tokens"),
        },
        model: result["modelUsage"].as_object().and_then(|models| models.keys().next().cloned()),
        finish_reason: result["subtype"].as_str().map(str::to_owned),
        cost_usd: result["total_cost_usd"].as_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
