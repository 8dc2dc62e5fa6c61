//! A streamed call (`--output-format stream-json`): the child's lines become chunks as the
//! model writes, and its `result` line ends the stream.

use std::collections::VecDeque;

use serde_json::Value;

use super::call::Call;
use super::child::Child;
use super::result::{completion_of, result_failure};
use super::sessions::{Key, NO_SESSION};
use super::ClaudeCode;
use crate::client::{Chunk, ChunkStream, Role};
use crate::error::{truncate, ModelError, ERROR_BODY_LIMIT};

impl ClaudeCode {
    /// Runs `call` streamed: spawns the child and gives its chunks.
    pub(super) async fn stream_call(&self, call: Call) -> Result<ChunkStream<'_>, ModelError> {
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
        Ok(Box::pin(chunks) as ChunkStream<'_>)
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
        match read_line(&self.child.program, line)? {
            Line::NewTurn => self.new_turn = true,
            Line::Text(text) => {
                let text = if self.new_turn && self.text_len > 0 { format!("\n\n{text}") } else { text };
                self.new_turn = false;
                self.text(text);
            }
            Line::Result(value) => self.result = Some(value),
            Line::Other => {}
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

/// What one `stream-json` line says.
#[derive(Debug)]
pub(crate) enum Line {
    /// The main conversation started a new model turn (`message_start`).
    NewTurn,
    /// A text delta of the main conversation (not empty).
    Text(String),
    /// The `result` object, which ends the stream.
    Result(Value),
    /// A blank line, or one that says nothing the reply needs (tool calls, sub-agents...).
    Other,
}

/// Reads one line of `program`'s `stream-json` output.
pub(crate) fn read_line(program: &str, line: &[u8]) -> Result<Line, ModelError> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(Line::Other);
    }
    let value: Value = serde_json::from_slice(line).map_err(|e| ModelError::InvalidResponse {
        message: format!("`{program}` printed a line that is not JSON: {e}"),
        body: truncate(&String::from_utf8_lossy(line), ERROR_BODY_LIMIT).to_owned(),
    })?;
    Ok(match value["type"].as_str() {
        Some("stream_event") if value["parent_tool_use_id"].is_null() => {
            let event = &value["event"];
            match event["type"].as_str() {
                Some("message_start") => Line::NewTurn,
                Some("content_block_delta") if event["delta"]["type"] == "text_delta" => {
                    match event["delta"]["text"].as_str().filter(|t| !t.is_empty()) {
                        Some(text) => Line::Text(text.to_owned()),
                        None => Line::Other,
                    }
                }
                _ => Line::Other,
            }
        }
        Some("result") => Line::Result(value),
        _ => Line::Other,
    })
}
