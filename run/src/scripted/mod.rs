//! An in-process HTTP server on 127.0.0.1 that plays scripted replies: deterministic tests
//! of code that runs agents, with no model and no network.
//!
//! ```ignore
//! let server = ScriptedServer::start([
//!     ScriptedResponse::openai("## Summary\nDone."),            // the first request
//!     ScriptedResponse::status(503, "overloaded"),              // the second
//! ]).await?;
//! let client = OpenAiCompatible::new(&server.url("/v1"), "")?;
//! // ... run dispatches ...
//! assert_eq!(server.requests()[0].json().unwrap()["messages"][0]["role"], "system");
//! ```

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

mod anthropic;
#[cfg(feature = "batch")]
mod batch;
pub mod claude_cli;
mod response;

pub use anthropic::{AnthropicBlock, ToolResult};
#[cfg(feature = "batch")]
pub use batch::{BatchApi, BatchReply, BatchRequest, BatchScript};
pub use response::{llama_cpp_context_error, ScriptedResponse};

/// The most bytes of a request's head, and of its body, the server reads.
const HEAD_LIMIT: usize = 64 * 1024;
const BODY_LIMIT: usize = 256 * 1024 * 1024;

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `POST`.
    pub method: String,
    /// `/v1/chat/completions`.
    pub path: String,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as JSON, when it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A function that answers a request.
type Handler = Box<dyn Fn(&RecordedRequest) -> ScriptedResponse + Send + Sync>;

enum Script {
    Queue(VecDeque<ScriptedResponse>),
    Repeat(ScriptedResponse),
    Handler(Handler),
}

struct Shared {
    script: Mutex<Script>,
    requests: Mutex<Vec<RecordedRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// The server: answers each request with the next scripted response (a `500` once the
/// script is over), and records every request. Stops when dropped.
pub struct ScriptedServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Starts a server on a free port of 127.0.0.1 that plays `responses` in order.
    pub async fn start(responses: impl IntoIterator<Item = ScriptedResponse>) -> io::Result<Self> {
        Self::serve(Script::Queue(responses.into_iter().collect())).await
    }

    /// Starts a server that answers every request with `response`.
    pub async fn repeating(response: ScriptedResponse) -> io::Result<Self> {
        Self::serve(Script::Repeat(response)).await
    }

    /// Starts a server that answers each request with what `handler` makes of it.
    pub async fn with_handler(
        handler: impl Fn(&RecordedRequest) -> ScriptedResponse + Send + Sync + 'static,
    ) -> io::Result<Self> {
        Self::serve(Script::Handler(Box::new(handler))).await
    }

    async fn serve(script: Script) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let accepting = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, Arc::clone(&accepting)));
            }
        });
        Ok(Self { addr, shared, task })
    }

    /// `http://127.0.0.1:<port>` followed by `path` (`"/v1"`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The most requests that were being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for ScriptedServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedServer").field("addr", &self.addr).finish()
    }
}

/// Serves the requests of one connection until the client closes it.
async fn connection(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buffer = Vec::new();
    while let Ok(Some(request)) = read_request(&mut stream, &mut buffer).await {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let response = match &mut *shared.script.lock().unwrap_or_else(PoisonError::into_inner) {
            Script::Queue(queue) => queue.pop_front(),
            Script::Repeat(response) => Some(response.clone()),
            Script::Handler(handler) => Some(handler(&request)),
        };
        shared.requests.lock().unwrap_or_else(PoisonError::into_inner).push(request);
        let response = response
            .unwrap_or_else(|| ScriptedResponse::status(500, "the scripted server has no more responses"));
        let written = response.write(&mut stream).await;
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        if response.resets() {
            // A zero linger makes the close a reset, and does not block the thread (a
            // non-zero linger would: that is why tokio deprecates the method).
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(std::time::Duration::ZERO));
            return;
        }
        if written.is_err() || response.closes() {
            return;
        }
    }
}

/// Reads one request; `None` when the client closed the connection.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<Option<RecordedRequest>> {
    let head_end = loop {
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
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
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
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    if length > BODY_LIMIT {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "request body too large"));
    }
    while buffer.len() < head_end + length {
        if read_more(stream, buffer).await? == 0 {
            return Ok(None);
        }
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Ok(Some(RecordedRequest { method, path, headers, body }))
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 16 * 1024];
    let read = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read)
}
