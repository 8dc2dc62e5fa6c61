//! What the HTTP backends share: URL checks, sending a JSON body, reading a response with a
//! size limit, and turning server-sent events into a chunk stream. Request bodies are written
//! in [`body`], error responses read in [`status`].

use std::time::Duration;

use agentbind::MAX_REPLY_BYTES;

use crate::client::{BoxFuture, Chunk, ChunkStream, Completion, ModelRequest};
use crate::error::{truncate, ModelError, ERROR_BODY_LIMIT};
use crate::sse::{SseDecoder, SseEvent};

mod body;
pub(crate) mod status;

pub(crate) use body::{body_size, JsonBody, SystemPrompts};
pub(crate) use status::context_exceeded;

/// The most bytes of a response body read: the reply limit with room for JSON escapes.
pub(crate) const BODY_LIMIT: usize = 2 * MAX_REPLY_BYTES;

/// `base` without a trailing `/`, checked: `http://` always, `https://` with a TLS feature.
pub(crate) fn base_url(base: &str) -> Result<String, ModelError> {
    let base = base.trim().trim_end_matches('/');
    let tls = cfg!(any(feature = "rustls", feature = "native-tls"));
    if base.starts_with("https://") && !tls {
        return Err(ModelError::Config(format!(
            "`{base}` needs TLS: enable the `rustls` or `native-tls` feature of agentbind-run"
        )));
    }
    if !(base.starts_with("http://") || base.starts_with("https://")) || reqwest::Url::parse(base).is_err() {
        return Err(ModelError::Config(format!("`{base}` is not an http:// or https:// URL")));
    }
    Ok(base.to_owned())
}

/// How long a client waits for a connection by default: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client waits without progress by default: 10 minutes, as OpenAI's own SDKs wait
/// for a whole call. A non-streamed reply arrives only when the model has written all of it, so
/// this is also the longest generation a non-streamed call allows.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// The reqwest client of a backend and its time limits.
///
/// Redirects are never followed: model APIs do not redirect a `POST`, and following one
/// re-sends the key header and the body (system prompt and inputs) to whatever host the
/// `Location` names, https to http included. A 3xx is [`ModelError::Redirected`].
#[derive(Clone)]
pub(crate) struct Transport {
    pub(crate) client: reqwest::Client,
    connect: Duration,
    pub(crate) idle: Duration,
}

impl Transport {
    /// A client with agentbind's user agent, no redirects and the default time limits.
    pub(crate) fn new() -> Result<Self, ModelError> {
        Self::with_timeouts(DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT)
    }

    fn with_timeouts(connect: Duration, idle: Duration) -> Result<Self, ModelError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("agentbind-run/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect)
            .build()
            .map_err(|e| ModelError::Config(error_text(&e)))?;
        Ok(Self { client, connect, idle })
    }

    /// The same transport with another connect timeout (a new reqwest client).
    pub(crate) fn connect_timeout(self, connect: Duration) -> Result<Self, ModelError> {
        Self::with_timeouts(connect, self.idle)
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("connect_timeout", &self.connect)
            .field("idle_timeout", &self.idle)
            .finish()
    }
}

/// A header value that reqwest keeps out of `Debug` output and HTTP/2 header compression
/// tables: for keys and any header the user adds.
pub(crate) fn sensitive(value: &str) -> Result<reqwest::header::HeaderValue, ModelError> {
    let mut value = reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| ModelError::Config("a header value holds a character HTTP does not allow".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A secret in `Debug` output: `[redacted]` when it is set, `""` when it is empty.
pub(crate) struct Redacted(bool);

/// `secret` for `Debug` output.
pub(crate) fn redacted(secret: &str) -> Redacted {
    Redacted(!secret.is_empty())
}

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0 { "[redacted]" } else { "\"\"" })
    }
}

/// Posts `body` (JSON) to `url`; an HTTP error status becomes [`ModelError::Status`] (with the
/// server's `Retry-After`) or [`ModelError::ContextExceeded`], a redirect
/// [`ModelError::Redirected`], and no response head within `idle` [`ModelError::Stalled`].
///
/// When the server closed a kept-alive connection just as the request went out on it (hyper's
/// "connection closed before message completed": no byte of a response came back), the
/// request is sent once more, on a new connection. Servers such as llama.cpp's close idle
/// connections on their own schedule.
pub(crate) async fn post(
    request: reqwest::RequestBuilder,
    url: &str,
    body: Vec<u8>,
    idle: Duration,
) -> Result<reqwest::Response, ModelError> {
    let request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
    let retry = request.try_clone();
    let send = async {
        match request.send().await {
            Err(error) if closed_before_response(&error) => match retry {
                Some(retry) => retry.send().await,
                None => Err(error),
            },
            other => other,
        }
    };
    let sent = tokio::time::timeout(idle, send)
        .await
        .map_err(|_| ModelError::Stalled { limit: idle, received: 0 })?;
    // reqwest's message names the URL too: it is said once, in `url`.
    let response = sent.map_err(|e| ModelError::Unreachable {
        url: url.to_owned(),
        message: error_text(&e.without_url()),
    })?;
    checked(response, idle).await
}

/// `response`, unless it is a redirect ([`ModelError::Redirected`], never followed: it would
/// take the key elsewhere) or an error status ([`status::status_error`] of the start of its
/// body, read within `idle`).
pub(crate) async fn checked(
    response: reqwest::Response,
    idle: Duration,
) -> Result<reqwest::Response, ModelError> {
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| truncate(&String::from_utf8_lossy(value.as_bytes()), ERROR_BODY_LIMIT).to_owned());
        return Err(ModelError::Redirected { status: status.as_u16(), location });
    }
    if status.is_client_error() || status.is_server_error() {
        let headers = response.headers().clone();
        let body = tokio::time::timeout(idle, read_limited(response, ERROR_BODY_LIMIT, false))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        return Err(status::status_error(status.as_u16(), &headers, &body));
    }
    Ok(response)
}

/// Whether `error` is a kept-alive connection closed by the server before any response.
fn closed_before_response(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_incomplete_message) {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Reads the body, at most `limit` bytes: past it, [`ModelError::TooLarge`] (or, with
/// `strict` off, the first `limit` bytes).
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    strict: bool,
) -> Result<Vec<u8>, ModelError> {
    if strict && response.content_length().is_some_and(|len| len > limit as u64) {
        return Err(ModelError::TooLarge { limit: MAX_REPLY_BYTES });
    }
    let mut body = Vec::new();
    loop {
        let chunk = response
            .chunk()
            .await
            .map_err(|e| ModelError::StreamCut { received: body.len(), message: error_text(&e) })?;
        let Some(chunk) = chunk else { return Ok(body) };
        if body.len() + chunk.len() > limit {
            if strict {
                return Err(ModelError::TooLarge { limit: MAX_REPLY_BYTES });
            }
            body.extend_from_slice(&chunk[..limit - body.len()]);
            return Ok(body);
        }
        body.extend_from_slice(&chunk);
    }
}

/// Reads a whole JSON response body, which must arrive within `idle` of its head.
/// Only the fields `keep` names are built ([`crate::pick`]).
pub(crate) async fn read_json(
    response: reqwest::Response,
    idle: Duration,
    keep: crate::pick::Keep,
) -> Result<serde_json::Value, ModelError> {
    let body = tokio::time::timeout(idle, read_limited(response, BODY_LIMIT, true))
        .await
        .map_err(|_| ModelError::Stalled { limit: idle, received: 0 })??;
    json_body(&body, keep)
}

/// A whole response body parsed as JSON, with only the fields `keep` names.
pub(crate) fn json_body(body: &[u8], keep: crate::pick::Keep) -> Result<serde_json::Value, ModelError> {
    crate::pick::pick(body, keep).map_err(|e| ModelError::InvalidResponse {
        message: format!("the body is not JSON: {e}"),
        body: String::from_utf8_lossy(truncate_bytes(body)).into_owned(),
    })
}

fn truncate_bytes(body: &[u8]) -> &[u8] {
    &body[..body.len().min(ERROR_BODY_LIMIT)]
}

/// What an HTTP backend defines; [`ModelClient`](crate::ModelClient) follows from it
/// ([`http_model_client!`]).
pub(crate) trait HttpBackend: Send + Sync {
    /// How server-sent events of a streamed reply become chunks.
    type Events: EventMapper + Default + 'static;
    /// The backend's name in reports.
    const NAME: &'static str;
    /// The client's model map.
    fn models(&self) -> &crate::models::ModelMap;
    /// The longest wait without progress ([`DEFAULT_IDLE_TIMEOUT`] unless set).
    fn idle_timeout(&self) -> Duration;
    /// Whether the server enforces a request's grammar.
    fn supports_grammar(&self) -> bool {
        false
    }
    /// The endpoint called.
    fn endpoint(&self) -> &str;
    /// Whether the server enforces a request's JSON Schema.
    fn supports_json_schema(&self) -> bool {
        false
    }
    /// Builds the request for `request` (streamed or not) and sends it; reads nothing of the
    /// request after returning.
    fn send(
        &self,
        request: &ModelRequest<'_>,
        stream: bool,
    ) -> BoxFuture<'_, Result<reqwest::Response, ModelError>>;
    /// The fields of a whole response body that [`completion`](Self::completion) reads.
    const KEEP: crate::pick::Keep;
    /// The completion in a whole (not streamed) response body.
    fn completion(body: serde_json::Value) -> Result<Completion, ModelError>;
}

/// The time-limit builder methods of a client whose [`Transport`] is its `http` field, written
/// once for every HTTP backend.
macro_rules! timeout_methods {
    () => {
        /// Waits at most `timeout` for a connection to the server (default
        /// [`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT), 10 s); past it, the call fails
        /// with [`ModelError::Unreachable`]. Builds a new connection pool.
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Result<Self, ModelError> {
            self.http = self.http.connect_timeout(timeout)?;
            Ok(self)
        }

        /// Waits at most `timeout` without progress (default
        /// [`DEFAULT_IDLE_TIMEOUT`](crate::DEFAULT_IDLE_TIMEOUT), 10 minutes): for the response to
        /// start, then for the rest of a whole body, or for the next event of a stream that gives
        /// text, usage or the end (keep-alive comments and pings do not count). Past it, the call
        /// fails with [`ModelError::Stalled`]. [`RunOptions::timeout`](crate::RunOptions::timeout)
        /// bounds a whole run besides.
        pub fn idle_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.http.idle = timeout;
            self
        }
    };
}
pub(crate) use timeout_methods;

/// Implements [`ModelClient`] for an [`HttpBackend`]. (A blanket impl would overlap the
/// impls for `&T`, `Box<T>` and `Arc<T>`.)
macro_rules! http_model_client {
    ($backend:ty) => {
        impl $crate::client::ModelClient for $backend {
            fn backend(&self) -> &str {
                <$backend as $crate::http::HttpBackend>::NAME
            }

            fn model_id(&self, model: agentbind::Model) -> Option<String> {
                $crate::http::HttpBackend::models(self).resolve(model)
            }

            fn supports_grammar(&self) -> bool {
                $crate::http::HttpBackend::supports_grammar(self)
            }

            fn supports_json_schema(&self) -> bool {
                $crate::http::HttpBackend::supports_json_schema(self)
            }

            fn server_url(&self) -> Option<&str> {
                Some($crate::http::HttpBackend::endpoint(self))
            }

            fn complete<'a>(
                &'a self,
                request: &$crate::client::ModelRequest<'_>,
            ) -> $crate::client::BoxFuture<'a, Result<$crate::client::Completion, $crate::error::ModelError>>
            {
                $crate::http::complete(self, request)
            }

            fn stream<'a>(
                &'a self,
                request: &$crate::client::ModelRequest<'_>,
            ) -> $crate::client::BoxFuture<
                'a,
                Result<$crate::client::ChunkStream<'a>, $crate::error::ModelError>,
            > {
                $crate::http::stream(self, request)
            }
        }
    };
}
pub(crate) use http_model_client;

/// [`ModelClient::complete`] of an HTTP backend.
pub(crate) fn complete<'a, B: HttpBackend>(
    backend: &'a B,
    request: &ModelRequest<'_>,
) -> BoxFuture<'a, Result<Completion, ModelError>> {
    let response = backend.send(request, false);
    let idle = backend.idle_timeout();
    Box::pin(async move { B::completion(read_json(response.await?, idle, B::KEEP).await?) })
}

/// [`ModelClient::stream`] of an HTTP backend.
pub(crate) fn stream<'a, B: HttpBackend>(
    backend: &'a B,
    request: &ModelRequest<'_>,
) -> BoxFuture<'a, Result<ChunkStream<'a>, ModelError>> {
    let response = backend.send(request, true);
    let idle = backend.idle_timeout();
    Box::pin(async move { Ok(event_stream(response.await?, B::Events::default(), idle)) })
}

/// [`ModelError::InvalidResponse`] about `body`.
pub(crate) fn invalid(message: impl Into<String>, body: &serde_json::Value) -> ModelError {
    ModelError::InvalidResponse { message: message.into(), body: body_excerpt(body) }
}

/// `text`, unless it is over [`MAX_REPLY_BYTES`].
pub(crate) fn within_limit(text: String) -> Result<String, ModelError> {
    if text.len() > MAX_REPLY_BYTES {
        return Err(ModelError::TooLarge { limit: MAX_REPLY_BYTES });
    }
    Ok(text)
}

/// `body` for an error message: at most 8 KiB.
pub(crate) fn body_excerpt(body: &serde_json::Value) -> String {
    truncate(&body.to_string(), ERROR_BODY_LIMIT).to_owned()
}

/// Turns server-sent events into chunks, one event at a time.
pub(crate) trait EventMapper: Send {
    /// The chunks of one event.
    fn event(&mut self, event: &SseEvent, out: &mut Vec<Chunk>) -> Result<(), ModelError>;
    /// The stream ended; chunks it implies (a [`Chunk::Finished`] that the backend's last
    /// event stood for).
    fn end(&mut self, out: &mut Vec<Chunk>);
}

/// The chunks of an event-stream response. When no event gives a chunk for `idle` (a server
/// that sends nothing, one byte at a time, or only keep-alive comments), the stream ends with
/// [`ModelError::Stalled`].
pub(crate) fn event_stream<'a, M: EventMapper + 'a>(
    response: reqwest::Response,
    mapper: M,
    idle: Duration,
) -> ChunkStream<'a> {
    struct State<M> {
        response: Option<reqwest::Response>,
        decoder: SseDecoder,
        mapper: M,
        chunks: std::collections::VecDeque<Result<Chunk, ModelError>>,
        received: usize,
        /// When the stream stalls: `idle` after the last chunk.
        deadline: tokio::time::Instant,
    }
    let state = State {
        response: Some(response),
        decoder: SseDecoder::default(),
        mapper,
        chunks: Default::default(),
        received: 0,
        deadline: tokio::time::Instant::now() + idle,
    };
    Box::pin(futures_util::stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(chunk) = state.chunks.pop_front() {
                return Some((chunk, state));
            }
            let response = state.response.as_mut()?;
            let mut events = Vec::new();
            let Ok(next) = tokio::time::timeout_at(state.deadline, response.chunk()).await else {
                state.response = None;
                state.chunks.push_back(Err(ModelError::Stalled { limit: idle, received: state.received }));
                continue;
            };
            match next {
                Ok(Some(bytes)) => {
                    state.received += bytes.len();
                    state.decoder.feed(&bytes, &mut events);
                    if state.decoder.buffered() > BODY_LIMIT {
                        state.response = None;
                        state.chunks.push_back(Err(ModelError::TooLarge { limit: MAX_REPLY_BYTES }));
                        continue;
                    }
                }
                Ok(None) => {
                    state.response = None;
                    state.decoder.finish(&mut events);
                }
                Err(error) => {
                    state.response = None;
                    let message = error_text(&error);
                    state.chunks.push_back(Err(ModelError::StreamCut { received: state.received, message }));
                    continue;
                }
            }
            let mut out = Vec::new();
            for event in &events {
                if let Err(error) = state.mapper.event(event, &mut out) {
                    state.response = None;
                    state.chunks.extend(out.drain(..).map(Ok));
                    state.chunks.push_back(Err(error));
                    break;
                }
            }
            if state.response.is_none() && state.chunks.back().is_none_or(Result::is_ok) {
                state.mapper.end(&mut out);
            }
            if !out.is_empty() {
                state.deadline = tokio::time::Instant::now() + idle;
            }
            state.chunks.extend(out.into_iter().map(Ok));
        }
    }))
}

/// A JSON event's data, or [`ModelError::InvalidResponse`].
pub(crate) fn event_json(event: &SseEvent) -> Result<serde_json::Value, ModelError> {
    serde_json::from_str(&event.data).map_err(|e| ModelError::InvalidResponse {
        message: format!("a stream event is not JSON: {e}"),
        body: truncate(&event.data, ERROR_BODY_LIMIT).to_owned(),
    })
}

/// An error with its causes: reqwest's own message is often only "error sending request".
pub(crate) fn error_text(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A token count from a JSON usage object.
pub(crate) fn tokens(usage: &serde_json::Value, key: &str) -> u64 {
    usage.get(key).and_then(serde_json::Value::as_u64).unwrap_or(0)
}
