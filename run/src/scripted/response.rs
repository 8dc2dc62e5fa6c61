//! The scripted responses: statuses, raw and JSON bodies, OpenAI and Anthropic replies (whole or
//! streamed), the context-overflow errors of llama.cpp, OpenAI and Anthropic, delays, pauses,
//! cuts, hang-ups and resets.

use std::io;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// One scripted HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedResponse {
    status: u16,
    content_type: String,
    /// The body, in pieces written one after the other.
    pieces: Vec<Vec<u8>>,
    /// Whether the body is streamed: no `Content-Length`, ended by closing the connection.
    streamed: bool,
    delay: Duration,
    pause: Duration,
    cut_after: Option<usize>,
    hang_up: bool,
    reset: bool,
    headers: Vec<(String, String)>,
}

impl ScriptedResponse {
    /// A response with `status` and a `body` of `content_type`.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: content_type.to_owned(),
            pieces: vec![body.into()],
            streamed: false,
            delay: Duration::ZERO,
            pause: Duration::ZERO,
            cut_after: None,
            hang_up: false,
            reset: false,
            headers: Vec::new(),
        }
    }

    /// A redirect (`301`, `302`, `307`, `308`) to `location`, with an empty body.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self::raw(status, "text/plain", Vec::new()).header("location", location)
    }

    /// Adds a header to the response.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Writes the body in pieces of `bytes` bytes (with [`pause`](Self::pause) between them):
    /// a server that sends its response slowly.
    pub fn in_pieces(mut self, bytes: usize) -> Self {
        let body: Vec<u8> = self.pieces.concat();
        self.pieces = body.chunks(bytes.max(1)).map(<[u8]>::to_vec).collect();
        self
    }

    /// No response: the server closes the connection once the request has arrived, as a
    /// server does with a kept-alive connection it has just decided to drop.
    pub fn hang_up() -> Self {
        Self { hang_up: true, ..Self::raw(200, "text/plain", Vec::new()) }
    }

    /// No response: the server resets the connection (a TCP `RST`) once the request has
    /// arrived, as a crashed or overloaded server or a proxy in between does.
    pub fn reset() -> Self {
        Self { reset: true, ..Self::hang_up() }
    }

    /// A `429 Too Many Requests` whose `Retry-After` header is `retry_after` (seconds or an HTTP
    /// date), with an OpenAI-style error body.
    pub fn rate_limited(retry_after: &str) -> Self {
        let body = json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}});
        Self::json(429, &body).header("retry-after", retry_after)
    }

    /// llama.cpp's server refusing a prompt of `prompt_tokens` that does not fit in its context
    /// of `context_tokens`: HTTP 400 with an `exceed_context_size_error`.
    pub fn llama_cpp_context_exceeded(prompt_tokens: u64, context_tokens: u64) -> Self {
        Self::json(400, &llama_cpp_context_error(prompt_tokens, context_tokens))
    }

    /// OpenAI refusing messages of `requested_tokens` over a model's `context_tokens`: HTTP 400
    /// with the code `context_length_exceeded`.
    pub fn openai_context_exceeded(requested_tokens: u64, context_tokens: u64) -> Self {
        let message = format!(
            "This model's maximum context length is {context_tokens} tokens. However, your messages resulted in {requested_tokens} tokens. Please reduce the length of the messages."
        );
        let body = json!({"error": {"message": message, "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}});
        Self::json(400, &body)
    }

    /// Anthropic refusing a prompt of `prompt_tokens` over the model's `maximum`: HTTP 400, an
    /// `invalid_request_error` saying "prompt is too long".
    pub fn anthropic_context_exceeded(prompt_tokens: u64, maximum: u64) -> Self {
        let message = format!("prompt is too long: {prompt_tokens} tokens > {maximum} maximum");
        let body = json!({"type": "error", "error": {"type": "invalid_request_error", "message": message}, "request_id": "req_scripted"});
        Self::json(400, &body)
    }

    /// An error status with a text body (`429`, `"rate limited"`).
    pub fn status(status: u16, body: &str) -> Self {
        Self::raw(status, "text/plain", body)
    }

    /// A JSON body.
    pub fn json(status: u16, body: &Value) -> Self {
        Self::raw(status, "application/json", body.to_string())
    }

    /// A Chat Completions reply of `text`. Usage: 12 prompt tokens, one completion token per
    /// whitespace-separated word.
    pub fn openai(text: &str) -> Self {
        Self::json(
            200,
            &json!({
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "model": "scripted-model",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 12, "completion_tokens": words(text), "total_tokens": 12 + words(text)},
            }),
        )
    }

    /// A streamed Chat Completions reply of `text`, in pieces of at most `piece_chars`
    /// characters, then the finish reason, the usage and `[DONE]`.
    pub fn openai_stream(text: &str, piece_chars: usize) -> Self {
        let mut events: Vec<Value> = split(text, piece_chars)
            .into_iter()
            .map(|piece| json!({"model": "scripted-model", "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]}))
            .collect();
        events.push(json!({"model": "scripted-model", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}));
        events.push(json!({"model": "scripted-model", "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": words(text)}}));
        let mut pieces: Vec<Vec<u8>> = events.iter().map(|e| format!("data: {e}\n\n").into_bytes()).collect();
        pieces.push(b"data: [DONE]\n\n".to_vec());
        Self::event_stream(pieces)
    }

    /// An Anthropic Messages reply of `text` (usage as for [`openai`](Self::openai)).
    pub fn anthropic(text: &str) -> Self {
        Self::json(
            200,
            &json!({
                "id": "msg_scripted",
                "type": "message",
                "role": "assistant",
                "model": "scripted-claude",
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 12, "output_tokens": words(text)},
            }),
        )
    }

    /// A `text/event-stream` body written piece by piece, ended by closing the connection.
    pub fn event_stream(pieces: Vec<Vec<u8>>) -> Self {
        Self { pieces, streamed: true, ..Self::raw(200, "text/event-stream", Vec::new()) }
    }

    /// Waits `delay` before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Waits `pause` between the pieces of the body.
    pub fn pause(mut self, pause: Duration) -> Self {
        self.pause = pause;
        self
    }

    /// Closes the connection after `bytes` bytes of the body. A body that is not streamed
    /// still announces its whole length, so the client sees it cut.
    pub fn cut_after(mut self, bytes: usize) -> Self {
        self.cut_after = Some(bytes);
        self
    }

    pub(super) async fn write(&self, stream: &mut TcpStream) -> io::Result<()> {
        // Even a zero sleep waits for the timer's next millisecond tick.
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        if self.hang_up {
            return Ok(());
        }
        let length: usize = self.pieces.iter().map(Vec::len).sum();
        let mut head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if self.streamed {
            head.push_str("cache-control: no-cache\r\nconnection: close\r\n\r\n");
        } else {
            head.push_str(&format!("content-length: {length}\r\n\r\n"));
        }
        stream.write_all(head.as_bytes()).await?;
        let mut budget = self.cut_after.unwrap_or(usize::MAX);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 && !self.pause.is_zero() {
                stream.flush().await?;
                tokio::time::sleep(self.pause).await;
            }
            let take = piece.len().min(budget);
            stream.write_all(&piece[..take]).await?;
            budget -= take;
            if budget == 0 {
                break;
            }
        }
        stream.flush().await
    }

    /// The whole body.
    #[cfg(test)]
    pub(super) fn body(&self) -> Vec<u8> {
        self.pieces.concat()
    }

    /// Whether the connection closes after this response.
    pub(super) fn closes(&self) -> bool {
        self.streamed || self.cut_after.is_some() || self.hang_up
    }

    /// Whether the connection is reset instead of closed.
    pub(super) fn resets(&self) -> bool {
        self.reset
    }
}

/// The JSON llama.cpp's server answers a prompt of `prompt_tokens` over its context of
/// `context_tokens` with: the body of its HTTP 400, or the data of the event it streams when
/// the error comes after the response started.
pub fn llama_cpp_context_error(prompt_tokens: u64, context_tokens: u64) -> Value {
    json!({"error": {
        "code": 400,
        "message": format!("request ({prompt_tokens} tokens) exceeds the available context size ({context_tokens} tokens), try increasing it"),
        "type": "exceed_context_size_error",
        "n_prompt_tokens": prompt_tokens,
        "n_ctx": context_tokens,
    }})
}

pub(super) fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// `text` in pieces of at most `chars` characters (at least one).
pub(super) fn split(text: &str, chars: usize) -> Vec<String> {
    let chars = chars.max(1);
    let all: Vec<char> = text.chars().collect();
    all.chunks(chars).map(|piece| piece.iter().collect()).collect()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        529 => "Overloaded",
        _ => "Status",
    }
}
