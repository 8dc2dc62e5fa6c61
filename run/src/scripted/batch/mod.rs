//! [`ScriptedServer::batches`]: OpenAI's Batch API (`/v1/files`, `/v1/batches`) and
//! Anthropic's Message Batches (`/v1/messages/batches`) as documented, answering each request
//! of a batch as a [`BatchScript`] says: a reply, an error, expired or canceled. Batches go
//! through their states over the polls (`validating`, `in_progress`, then `completed`,
//! `expired` or `failed`; `in_progress`, then `ended`), and results come back in reverse
//! order, as the APIs allow.
//!
//! Uploads are read as they arrive, and result files written as they are read: the server
//! keeps each request's `custom_id` and scripted answer, not its body, so a batch of 10,000
//! requests of 25 KB costs it about a megabyte.
//!
//! ```ignore
//! let server = ScriptedServer::batches(BatchScript::new(|request: &BatchRequest| {
//!     if request.custom_id.contains("-r0-") { BatchReply::text("## Summary\n...") } else { BatchReply::Expired }
//! }).polls(2)).await?;
//! let client = OpenAiCompatible::new(&server.url("/v1"), "key")?;
//! ```

use std::collections::HashMap;
use std::io;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{RecordedRequest, Script, ScriptedResponse, ScriptedServer, Shared};

mod anthropic;
mod openai;

/// The most bytes of a request's head; of a body that is not an upload; of one request of an
/// upload.
const HEAD_LIMIT: usize = 64 * 1024;
const SMALL_BODY_LIMIT: usize = 1 << 20;
const LINE_LIMIT: usize = 16 << 20;

/// How the scripted server answers one request of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchReply {
    /// A reply of this text (usage: 12 input tokens, one output token per word).
    Text(Arc<str>),
    /// An error for this request: OpenAI's error file gets a response of `status` with this
    /// message, Anthropic's results an `errored` result.
    Error {
        /// The HTTP status of the request's response (OpenAI).
        status: u16,
        /// What the API says.
        message: String,
    },
    /// The request did not run before the batch expired: OpenAI's batch ends `expired` with a
    /// `batch_expired` error for it, Anthropic's result is `expired`.
    Expired,
    /// The request was canceled: OpenAI's batch ends `cancelled` with a `batch_cancelled`
    /// error for it, Anthropic's result is `canceled`.
    Canceled,
}

impl BatchReply {
    /// A reply of `text`.
    pub fn text(text: &str) -> Self {
        Self::Text(text.into())
    }
}

/// Which API a batch came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchApi {
    /// OpenAI's Batch API.
    OpenAi,
    /// Anthropic's Message Batches.
    Anthropic,
}

/// One request of a batch, as the script sees it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct BatchRequest<'a> {
    /// The API.
    pub api: BatchApi,
    /// Which batch of the server's it is in: 0 for the first uploaded (OpenAI) or created
    /// (Anthropic), then 1...
    pub batch: usize,
    /// Its place in the batch, from 0.
    pub line: usize,
    /// Its `custom_id`.
    pub custom_id: &'a str,
    /// How many messages the conversation has, the system message not counted: 1 for a first
    /// request, 3 for a first repair...
    pub messages: usize,
    /// The text of the last message (the prompt, or the repair request).
    pub last_message: &'a str,
}

type Reply = dyn Fn(&BatchRequest<'_>) -> BatchReply + Send + Sync;

/// What the scripted batch server does: the answer to each request, how many polls a batch
/// stays in progress, and which batches fail validation.
#[derive(Clone)]
pub struct BatchScript {
    reply: Arc<Reply>,
    polls: usize,
    failing: Vec<(usize, String)>,
}

impl BatchScript {
    /// Answers each request of each batch with what `reply` makes of it. Batches stay in
    /// progress for 2 polls.
    pub fn new(reply: impl Fn(&BatchRequest<'_>) -> BatchReply + Send + Sync + 'static) -> Self {
        Self { reply: Arc::new(reply), polls: 2, failing: Vec::new() }
    }

    /// Each batch is in progress for `polls` polls (OpenAI: `validating` for the first, then
    /// `in_progress`), and over at the next.
    pub fn polls(mut self, polls: usize) -> Self {
        self.polls = polls;
        self
    }

    /// OpenAI's batch `batch` (0 for the first) fails validation at its first poll: status
    /// `failed`, with `message` in its `errors`.
    pub fn fail_batch(mut self, batch: usize, message: &str) -> Self {
        self.failing.push((batch, message.to_owned()));
        self
    }
}

impl std::fmt::Debug for BatchScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchScript").field("polls", &self.polls).field("failing", &self.failing).finish()
    }
}

/// A request of a batch, kept: its name and its answer.
#[derive(Clone)]
struct Kept {
    custom_id: String,
    reply: BatchReply,
}

/// A batch the server holds.
struct Held {
    api: BatchApi,
    requests: Vec<Kept>,
    polls: usize,
    /// Why it failed validation, when it did.
    failure: Option<String>,
}

impl Held {
    fn count(&self, wanted: impl Fn(&BatchReply) -> bool) -> usize {
        self.requests.iter().filter(|k| wanted(&k.reply)).count()
    }

    fn over(&self, script: &BatchScript) -> bool {
        self.failure.is_some() || self.polls > script.polls
    }
}

/// The batches and uploaded files.
struct State {
    script: BatchScript,
    base: String,
    /// Batches made so far (and OpenAI files uploaded, which become batches).
    made: AtomicUsize,
    /// OpenAI's uploaded files, by id.
    files: Mutex<HashMap<String, Held>>,
    /// Batches, by id.
    batches: Mutex<HashMap<String, Held>>,
}

impl State {
    fn answer(&self, request: &BatchRequest<'_>) -> BatchReply {
        (self.script.reply)(request)
    }

    fn failure_of(&self, batch: usize) -> Option<String> {
        self.script.failing.iter().find(|(n, _)| *n == batch).map(|(_, message)| message.clone())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ScriptedServer {
    /// Starts a server of OpenAI's Batch API and Anthropic's Message Batches that answers the
    /// requests of each batch as `script` says. [`requests`](Self::requests) records every
    /// call, with the body of all but the uploads.
    pub async fn batches(script: BatchScript) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(Script::Queue(Default::default())),
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let state = Arc::new(State {
            script,
            base: format!("http://{addr}"),
            made: AtomicUsize::new(0),
            files: Mutex::new(HashMap::new()),
            batches: Mutex::new(HashMap::new()),
        });
        let accepting = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, Arc::clone(&accepting), Arc::clone(&state)));
            }
        });
        Ok(Self { addr, shared, task })
    }
}

/// A request's head, and the body still to read.
pub(super) struct Head {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    length: usize,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// What a route answers: a response, or the lines of a file written as they are made, then
/// the connection closed.
enum Answer {
    Response(ScriptedResponse),
    Lines(Box<dyn Iterator<Item = String> + Send>),
}

/// Serves the requests of one connection until the client closes it.
async fn connection(mut stream: TcpStream, shared: Arc<Shared>, state: Arc<State>) {
    let mut buffer = Vec::new();
    while let Ok(Some(head)) = read_head(&mut stream, &mut buffer).await {
        let mut body = Body { stream: &mut stream, buffer: &mut buffer, remaining: head.length };
        let upload =
            head.method == "POST" && (head.path == "/v1/files" || head.path == "/v1/messages/batches");
        let (answer, kept) = if upload {
            let answer = match head.path.as_str() {
                "/v1/files" => openai::upload(&head, &mut body, &state).await,
                _ => anthropic::create(&mut body, &state).await,
            };
            (answer, Vec::new())
        } else {
            match body.all(SMALL_BODY_LIMIT).await {
                Ok(bytes) => (Ok(route(&head, &bytes, &state)), bytes),
                Err(_) => return,
            }
        };
        let answer = match answer {
            Ok(answer) => answer,
            Err(_) => return,
        };
        let Head { method, path, headers, .. } = head;
        lock(&shared.requests).push(RecordedRequest { method, path, headers, body: kept });
        match answer {
            Answer::Response(response) => {
                if response.write(&mut stream).await.is_err() || response.closes() {
                    return;
                }
            }
            Answer::Lines(lines) => {
                let _ = write_lines(&mut stream, lines).await;
                return;
            }
        }
    }
}

/// The answer to a request that is not an upload.
fn route(head: &Head, body: &[u8], state: &State) -> Answer {
    let path = head.path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (head.method.as_str(), segments.as_slice()) {
        ("POST", ["v1", "batches"]) => openai::create(body, state),
        ("GET", ["v1", "batches", id]) => openai::status(id, state),
        ("GET", ["v1", "files", id, "content"]) => openai::content(id, state),
        ("GET", ["v1", "messages", "batches", id]) => anthropic::status(id, state),
        ("GET", ["v1", "messages", "batches", id, "results"]) => anthropic::results(id, state),
        _ => not_found(&head.path),
    }
}

fn not_found(path: &str) -> Answer {
    Answer::Response(ScriptedResponse::json(
        404,
        &serde_json::json!({"error": {"message": format!("no route {path}")}}),
    ))
}

/// A `400` with an error object of `message`.
fn bad_request(message: &str) -> Answer {
    Answer::Response(ScriptedResponse::json(
        400,
        &serde_json::json!({
            "type": "error",
            "error": {"type": "invalid_request_error", "message": message, "code": null, "param": null},
        }),
    ))
}

/// Whether `id` is a valid `custom_id`: 1 to 64 characters of `[a-zA-Z0-9_-]`.
fn valid_custom_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The number of messages (without a system message) and the last one's text.
fn conversation(messages: &Value) -> (usize, &str) {
    let messages = messages.as_array().map(Vec::as_slice).unwrap_or_default();
    let count = messages.iter().filter(|m| m["role"] != "system").count();
    let last = messages.last().and_then(|m| m["content"].as_str()).unwrap_or_default();
    (count, last)
}

/// Reads one request's head; `None` when the client closed the connection.
async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<Option<Head>> {
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > HEAD_LIMIT {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "request head too large"));
        }
        if read_more(stream, buffer).await? == 0 {
            return Ok(None);
        }
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    buffer.drain(..end);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    Ok(Some(Head { method, path, headers, length }))
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 64 * 1024];
    let read = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read)
}

/// The body of a request, read a piece at a time.
pub(super) struct Body<'a> {
    stream: &'a mut TcpStream,
    /// Bytes read past the head.
    buffer: &'a mut Vec<u8>,
    remaining: usize,
}

impl Body<'_> {
    /// The next piece; `None` at the end of the body.
    async fn piece(&mut self) -> io::Result<Option<Vec<u8>>> {
        if self.remaining == 0 {
            return Ok(None);
        }
        if self.buffer.is_empty() && read_more(self.stream, self.buffer).await? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the body was cut"));
        }
        let take = self.buffer.len().min(self.remaining);
        self.remaining -= take;
        Ok(Some(self.buffer.drain(..take).collect()))
    }

    /// The whole body, when it is at most `limit` bytes.
    async fn all(&mut self, limit: usize) -> io::Result<Vec<u8>> {
        if self.remaining > limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "request body too large"));
        }
        let mut out = Vec::with_capacity(self.remaining);
        while let Some(piece) = self.piece().await? {
            out.extend_from_slice(&piece);
        }
        Ok(out)
    }
}

/// Writes a JSONL body of `lines`, ended by closing the connection.
async fn write_lines(
    stream: &mut TcpStream,
    lines: Box<dyn Iterator<Item = String> + Send>,
) -> io::Result<()> {
    stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/binary\r\nconnection: close\r\n\r\n")
        .await?;
    let mut chunk = Vec::with_capacity(64 * 1024);
    for line in lines {
        chunk.extend_from_slice(line.as_bytes());
        chunk.push(b'\n');
        if chunk.len() >= 64 * 1024 {
            stream.write_all(&chunk).await?;
            chunk.clear();
        }
    }
    stream.write_all(&chunk).await?;
    stream.flush().await
}
