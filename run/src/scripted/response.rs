//! The scripted responses: statuses, raw and JSON bodies, OpenAI and Anthropic replies (whole or
//! streamed), delays, pauses, cuts and hang-ups.

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
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
