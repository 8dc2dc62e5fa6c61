//! Errors of model calls and of runs.

use std::fmt;
use std::time::Duration;

use agentbind::ReplyError;

use crate::report::RunReport;

/// How many bytes of an error response's body (or of a program's stderr) a [`ModelError`]
/// keeps: 8 KiB.
pub const ERROR_BODY_LIMIT: usize = 8 * 1024;

/// A model call that did not give a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelError {
    /// The server could not be reached (connection refused, DNS, TLS handshake...), or the
    /// connection was reset or closed before the response came.
    Unreachable {
        /// The URL that was called.
        url: String,
        /// What failed (without the URL again).
        message: String,
    },
    /// The server answered with an HTTP error status.
    Status {
        /// The status code (4xx, 5xx).
        status: u16,
        /// The start of the response body (at most 8 KiB), which usually says why.
        body: String,
        /// How long the server asked the client to wait before trying again: its
        /// `Retry-After` header (seconds or an HTTP date) or the `retry-after-ms` that OpenAI
        /// and Anthropic send, when it gave one.
        retry_after: Option<Duration>,
    },
    /// The request does not fit in the model's context: the server refused it for its size
    /// (llama.cpp's `exceed_context_size_error`, OpenAI's `context_length_exceeded` or
    /// "maximum context length is ... tokens", Anthropic's "prompt is too long"). Sending it
    /// again cannot help: it is never retried.
    ContextExceeded {
        /// The tokens the request needs, as the server counted them, when it said: the prompt
        /// (llama.cpp's `n_prompt_tokens`, Anthropic's prompt), or the prompt and the reply's
        /// token limit for servers that count both (OpenAI's "you requested", Anthropic's
        /// "input length and `max_tokens`").
        requested_tokens: Option<u64>,
        /// The tokens the model's context holds, when the server said.
        context_tokens: Option<u64>,
        /// The server's message (at most 8 KiB).
        message: String,
    },
    /// The server answered with a redirect (3xx). Model APIs do not redirect a `POST`, and
    /// following one would send the API key and the prompt to wherever it points, so
    /// redirects are never followed.
    Redirected {
        /// The status code (301, 302, 307, 308...).
        status: u16,
        /// The `Location` it pointed to, when it gave one (control characters escaped, at most
        /// 8 KiB).
        location: Option<String>,
    },
    /// The server made no progress for longer than the client's idle timeout: no response
    /// head, no rest of the body, or no new event on a stream (keep-alive comments do not
    /// count). See `OpenAiCompatible::idle_timeout`.
    Stalled {
        /// The idle timeout that passed.
        limit: Duration,
        /// Bytes of the response received before it stalled.
        received: usize,
    },
    /// The response is not what the API returns: not JSON, or JSON of another shape.
    InvalidResponse {
        /// What is wrong with it.
        message: String,
        /// The start of the response body (at most 8 KiB).
        body: String,
    },
    /// The model replied with no text.
    EmptyReply {
        /// Why the model stopped, when the backend said.
        finish_reason: Option<String>,
    },
    /// The reply is larger than [`agentbind::MAX_REPLY_BYTES`]; reading stopped there.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The connection ended before the reply was complete.
    StreamCut {
        /// Bytes of reply text received before the cut.
        received: usize,
        /// What ended it.
        message: String,
    },
    /// The backend's program could not be started (Claude Code).
    Spawn {
        /// The program.
        program: String,
        /// The error.
        message: String,
    },
    /// The backend's program failed (Claude Code): a non-zero exit, or an error result.
    Process {
        /// The program.
        program: String,
        /// Its exit code, when it exited.
        code: Option<i32>,
        /// The start of what it wrote to stderr, or the error it reported.
        message: String,
    },
    /// The client is set up wrongly (an invalid URL, https:// without a TLS feature...).
    Config(String),
    /// A replayed call has no recording (`Recorder` in `RecordMode::Replay`): the agent, and
    /// what changed since the closest recording of it.
    ReplayMiss {
        /// The agent whose call it is.
        agent: String,
        /// The folder of the recordings.
        folder: String,
        /// What changed: the agent's prompt, the inputs, the model...
        changed: String,
    },
    /// A recording could not be read or written.
    Recording {
        /// The recording's file.
        path: String,
        /// What failed.
        message: String,
    },
    /// A batch (`batch::run_batch`) ended before this request of it ran: it expired at the
    /// provider (24 hours after it was created).
    BatchExpired {
        /// The provider's id of the batch.
        batch: String,
    },
    /// A batch was canceled before this request of it ran.
    BatchCanceled {
        /// The provider's id of the batch.
        batch: String,
    },
    /// The batch API gave an error instead of a reply for this request, or failed the whole
    /// batch (a batch that did not validate, a result missing from its output).
    BatchRequestFailed {
        /// The provider's id of the batch.
        batch: String,
        /// The HTTP status of the request's response, when the API gave one.
        status: Option<u16>,
        /// What the API said (at most 8 KiB).
        message: String,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Printable as P;
        match self {
            ModelError::Unreachable { url, message } => write!(f, "cannot reach {}: {}", P(url), P(message)),
            ModelError::Status { status, body, .. } if body.is_empty() => write!(f, "HTTP status {status}"),
            ModelError::Status { status, body, .. } => write!(f, "HTTP status {status}: {}", P(body)),
            ModelError::ContextExceeded { requested_tokens, context_tokens, message } => {
                f.write_str("the request does not fit in the model's context")?;
                match (requested_tokens, context_tokens) {
                    (Some(requested), Some(context)) => write!(f, " ({requested} tokens > {context})")?,
                    (Some(requested), None) => write!(f, " ({requested} tokens)")?,
                    (None, Some(context)) => write!(f, " of {context} tokens")?,
                    (None, None) => {}
                }
                if !message.is_empty() {
                    write!(f, ": {}", P(message))?;
                }
                Ok(())
            }
            ModelError::Redirected { status, location: Some(location) } => {
                write!(
                    f,
                    "HTTP status {status}: the server redirects to {}, which is not followed",
                    P(location)
                )
            }
            ModelError::Redirected { status, location: None } => {
                write!(f, "HTTP status {status}: the server redirects, which is not followed")
            }
            ModelError::Stalled { limit, received } => {
                write!(
                    f,
                    "the server made no progress for {limit:?} (after {received} bytes of the response)"
                )
            }
            ModelError::InvalidResponse { message, body } => {
                write!(f, "invalid response: {}", P(message))?;
                if !body.is_empty() {
                    write!(f, " (body starts: {})", P(truncate(body, 200)))?;
                }
                Ok(())
            }
            ModelError::EmptyReply { finish_reason: Some(reason) } => {
                write!(f, "the model replied with no text (finish reason `{}`)", P(reason))
            }
            ModelError::EmptyReply { finish_reason: None } => f.write_str("the model replied with no text"),
            ModelError::TooLarge { limit } => {
                write!(f, "the reply is larger than the limit of {limit} bytes")
            }
            ModelError::StreamCut { received, message } => {
                write!(f, "the reply was cut off after {received} bytes: {}", P(message))
            }
            ModelError::Spawn { program, message } => {
                write!(f, "cannot start `{}`: {}", P(program), P(message))
            }
            ModelError::Process { program, code: Some(code), message } => {
                write!(f, "`{}` failed with exit code {code}: {}", P(program), P(message))
            }
            ModelError::Process { program, code: None, message } => {
                write!(f, "`{}` failed: {}", P(program), P(message))
            }
            ModelError::Config(message) => write!(f, "client configuration: {}", P(message)),
            ModelError::ReplayMiss { agent, folder, changed } => write!(
                f,
                "no recording of this call of agent `{}` in {}: {}; record again with AGENTBIND_RECORD=record",
                P(agent),
                P(folder),
                P(changed)
            ),
            ModelError::Recording { path, message } => write!(f, "recording {}: {}", P(path), P(message)),
            ModelError::BatchExpired { batch } => {
                write!(f, "batch `{}` expired before this request ran", P(batch))
            }
            ModelError::BatchCanceled { batch } => {
                write!(f, "batch `{}` was canceled before this request ran", P(batch))
            }
            ModelError::BatchRequestFailed { batch, status: Some(status), message } => {
                write!(f, "batch `{}`: the request failed with HTTP status {status}: {}", P(batch), P(message))
            }
            ModelError::BatchRequestFailed { batch, status: None, message } => {
                write!(f, "batch `{}`: the request failed: {}", P(batch), P(message))
            }
        }
    }
}

impl std::error::Error for ModelError {}

impl ModelError {
    /// Whether a run sends the call again after this error, within
    /// [`RunOptions::retries`](crate::RunOptions::retries): a rate limit or an overloaded
    /// server (HTTP 408, 429, 500, 502, 503, 504, 529), a connection that failed or was
    /// reset or closed before the reply ([`Unreachable`](Self::Unreachable), and
    /// [`StreamCut`](Self::StreamCut) before any reply text reached the caller), and an
    /// [`EmptyReply`](Self::EmptyReply).
    ///
    /// Never retried: other statuses (400, 401, 403, 404...: the same request gets the same
    /// answer), [`ContextExceeded`](Self::ContextExceeded), [`Redirected`](Self::Redirected),
    /// [`InvalidResponse`](Self::InvalidResponse) (a server that does not speak the API),
    /// [`Stalled`](Self::Stalled) (the call already waited the whole idle timeout),
    /// [`TooLarge`](Self::TooLarge), and the errors of the client's set-up or of Claude Code's
    /// program.
    pub fn is_retryable(&self) -> bool {
        match self {
            ModelError::Status { status, .. } => matches!(status, 408 | 429 | 500 | 502 | 503 | 504 | 529),
            ModelError::Unreachable { .. } | ModelError::StreamCut { .. } | ModelError::EmptyReply { .. } => {
                true
            }
            _ => false,
        }
    }

    /// The wait the server asked for before the next call (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ModelError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// `text` with control characters other than tab and newline written as `\u{..}` escapes:
/// error messages hold text from servers and child processes, which must not be able to put
/// terminal escape sequences on the user's screen.
pub(crate) struct Printable<'a>(pub(crate) &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(|c: char| c.is_control() && c != '\n' && c != '\t') {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(f, "{}", c.escape_unicode())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// The first `limit` bytes of `text`, cut at a character boundary.
pub(crate) fn truncate(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RunErrorKind {
    /// A model call failed, and was not retried or the retries ran out
    /// ([`RunOptions::retries`](crate::RunOptions::retries)); every failed call is an attempt in
    /// the report, with its latency and error ([`Attempt::call_error`](crate::Attempt::call_error)).
    Model(ModelError),
    /// The last reply still broke the contract when no repair was left; every attempt is in
    /// the report.
    Reply(ReplyError),
    /// The run took longer than [`RunOptions::timeout`](crate::RunOptions::timeout).
    Timeout(Duration),
}

/// A run that gave no typed output. Names the agent and keeps the report of every attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct RunError {
    /// The agent's name.
    pub agent: String,
    /// What failed.
    pub kind: RunErrorKind,
    /// Every attempt made, with its reply and why it was refused (boxed: errors stay small).
    pub report: Box<RunReport>,
}

impl RunError {
    /// The reply error of the last attempt, when the run failed for the contract.
    pub fn reply_error(&self) -> Option<&ReplyError> {
        match &self.kind {
            RunErrorKind::Reply(error) => Some(error),
            _ => None,
        }
    }

    /// The model error, when a model call failed.
    pub fn model_error(&self) -> Option<&ModelError> {
        match &self.kind {
            RunErrorKind::Model(error) => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let agent = &self.agent;
        let attempts = self.report.attempts.len();
        match &self.kind {
            RunErrorKind::Model(error) if attempts > 1 => {
                write!(f, "agent `{agent}`: model call failed ({attempts} attempts): {error}")
            }
            RunErrorKind::Model(error) => write!(f, "agent `{agent}`: model call failed: {error}"),
            RunErrorKind::Reply(error) => {
                write!(f, "agent `{agent}`: no valid reply after {attempts} attempt(s): {error}")
            }
            RunErrorKind::Timeout(limit) => {
                write!(f, "agent `{agent}`: timed out after {limit:?} ({attempts} attempt(s) complete)")
            }
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            RunErrorKind::Model(error) => Some(error),
            RunErrorKind::Reply(error) => Some(error),
            RunErrorKind::Timeout(_) => None,
        }
    }
}
