//! OpenAI's Batch API, scripted: `POST /v1/files` (multipart, `purpose=batch`, a JSONL file of
//! `{custom_id, method, url, body}` lines), `POST /v1/batches`, `GET /v1/batches/{id}` and
//! `GET /v1/files/{id}/content` (the output file of replies, the error file of the rest).

use std::collections::HashSet;
use std::io;
use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use super::super::response::words;
use super::{
    bad_request, conversation, lock, not_found, valid_custom_id, Answer, BatchApi, BatchReply, BatchRequest,
    Body, Head, Held, Kept, State,
};
use crate::scripted::ScriptedResponse;

const ENDPOINT: &str = "/v1/chat/completions";

/// Reads a multipart upload as it arrives, keeping each line's `custom_id` and answer.
pub(super) async fn upload(head: &Head, body: &mut Body<'_>, state: &State) -> io::Result<Answer> {
    let boundary = head
        .header("content-type")
        .and_then(|t| t.split_once("boundary="))
        .map(|(_, b)| b.trim_matches('"').to_owned());
    let Some(boundary) = boundary else {
        while body.piece().await?.is_some() {}
        return Ok(bad_request("the upload is not multipart/form-data with a boundary"));
    };
    let batch = state.made.fetch_add(1, Ordering::SeqCst);
    let mut file = File {
        batch,
        state,
        kept: Vec::new(),
        seen: HashSet::new(),
        errors: Vec::new(),
        line: Vec::new(),
        lines: 0,
    };
    let mut parts = Multipart::new(&boundary);
    let mut purpose = Vec::new();
    while let Some(piece) = body.piece().await? {
        parts.feed(&piece, &mut |name, bytes| match name {
            "file" => file.feed(bytes),
            "purpose" if purpose.len() < 64 => purpose.extend_from_slice(bytes),
            _ => {}
        });
    }
    file.finish();
    if purpose != b"batch" {
        return Ok(bad_request("`purpose` must be `batch`"));
    }
    if file.kept.is_empty() && file.errors.is_empty() {
        return Ok(bad_request("the file holds no request"));
    }
    let id = format!("file-{batch}");
    let failure = if file.errors.is_empty() { state.failure_of(batch) } else { Some(file.errors.join("; ")) };
    let requests = file.kept;
    lock(&state.files).insert(id.clone(), Held { api: BatchApi::OpenAi, requests, polls: 0, failure });
    Ok(Answer::Response(ScriptedResponse::json(
        200,
        &json!({"id": id, "object": "file", "purpose": "batch", "filename": "batch.jsonl", "created_at": 0, "status": "processed"}),
    )))
}

/// The lines of an uploaded file.
struct File<'a> {
    batch: usize,
    state: &'a State,
    kept: Vec<Kept>,
    seen: HashSet<String>,
    /// What fails validation (the first three).
    errors: Vec<String>,
    /// The line read so far.
    line: Vec<u8>,
    /// Lines read.
    lines: usize,
}

impl File<'_> {
    fn feed(&mut self, mut bytes: &[u8]) {
        while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&bytes[..end]);
            self.end_line();
            bytes = &bytes[end + 1..];
        }
        if self.line.len() + bytes.len() <= super::LINE_LIMIT {
            self.line.extend_from_slice(bytes);
        }
    }

    fn finish(&mut self) {
        self.end_line();
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.lines += 1;
        let number = self.lines;
        match self.read(&line) {
            Ok(kept) => self.kept.push(kept),
            Err(error) if self.errors.len() < 3 => self.errors.push(format!("line {number}: {error}")),
            Err(_) => {}
        }
    }

    fn read(&mut self, line: &[u8]) -> Result<Kept, String> {
        let value: Value = serde_json::from_slice(line).map_err(|e| format!("not JSON: {e}"))?;
        let custom_id = value["custom_id"].as_str().ok_or("no `custom_id`")?;
        if !valid_custom_id(custom_id) {
            return Err(format!("`custom_id` `{custom_id}` is not 1 to 64 characters of [a-zA-Z0-9_-]"));
        }
        if !self.seen.insert(custom_id.to_owned()) {
            return Err(format!("`custom_id` `{custom_id}` is not unique"));
        }
        if value["method"] != "POST" || value["url"] != ENDPOINT {
            return Err(format!("`method` must be POST and `url` {ENDPOINT}"));
        }
        let messages = &value["body"]["messages"];
        if !messages.is_array() {
            return Err("no `body.messages`".to_owned());
        }
        let (count, last) = conversation(messages);
        let request = BatchRequest {
            api: BatchApi::OpenAi,
            batch: self.batch,
            line: self.kept.len(),
            custom_id,
            messages: count,
            last_message: last,
        };
        Ok(Kept { custom_id: custom_id.to_owned(), reply: self.state.answer(&request) })
    }
}

/// `POST /v1/batches`: the batch of an uploaded file.
pub(super) fn create(body: &[u8], state: &State) -> Answer {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return bad_request("the body is not JSON");
    };
    if request["endpoint"] != ENDPOINT || request["completion_window"] != "24h" {
        return bad_request("`endpoint` must be /v1/chat/completions and `completion_window` 24h");
    }
    let file = request["input_file_id"].as_str().unwrap_or_default();
    let Some(held) = lock(&state.files).remove(file) else { return bad_request("no such `input_file_id`") };
    let id = format!("batch_{}", file.trim_start_matches("file-"));
    let object = batch_object(&id, &held, state);
    lock(&state.batches).insert(id, held);
    Answer::Response(ScriptedResponse::json(200, &object))
}

/// `GET /v1/batches/{id}`: one poll more.
pub(super) fn status(id: &str, state: &State) -> Answer {
    let mut batches = lock(&state.batches);
    let Some(held) = batches.get_mut(id).filter(|h| h.api == BatchApi::OpenAi) else { return not_found(id) };
    held.polls += 1;
    Answer::Response(ScriptedResponse::json(200, &batch_object(id, held, state)))
}

/// The batch object, as it stands after its polls.
fn batch_object(id: &str, held: &Held, state: &State) -> Value {
    let total = held.requests.len();
    let replies = held.count(|r| matches!(r, BatchReply::Text(_)));
    let over = held.over(&state.script);
    let status = if held.failure.is_some() && held.polls > 0 {
        "failed"
    } else if !over || held.polls == 0 {
        if held.polls <= 1 {
            "validating"
        } else {
            "in_progress"
        }
    } else if held.count(|r| *r == BatchReply::Expired) > 0 {
        "expired"
    } else if held.count(|r| *r == BatchReply::Canceled) > 0 {
        "cancelled"
    } else {
        "completed"
    };
    let done = matches!(status, "completed" | "expired" | "cancelled");
    let (completed, failed) = match status {
        "failed" => (0, 0),
        _ if done => (replies, total - replies),
        _ => (replies * held.polls.saturating_sub(1) / state.script.polls.max(1), 0),
    };
    let errors = held.failure.as_ref().filter(|_| status == "failed").map(|message| {
        json!({"object": "list", "data": [{"code": "invalid_request", "message": message, "param": null, "line": null}]})
    });
    json!({
        "id": id,
        "object": "batch",
        "endpoint": ENDPOINT,
        "errors": errors,
        "input_file_id": format!("file-{}", id.trim_start_matches("batch_")),
        "completion_window": "24h",
        "status": status,
        "output_file_id": (done && replies > 0).then(|| format!("file-out-{id}")),
        "error_file_id": (done && replies < total).then(|| format!("file-err-{id}")),
        "created_at": 0,
        "request_counts": {"total": total, "completed": completed, "failed": failed},
        "metadata": null,
    })
}

/// `GET /v1/files/{id}/content` of an output (`file-out-...`) or error (`file-err-...`) file:
/// its lines in reverse order.
pub(super) fn content(file: &str, state: &State) -> Answer {
    let (errors, id) = match (file.strip_prefix("file-out-"), file.strip_prefix("file-err-")) {
        (Some(id), _) => (false, id),
        (_, Some(id)) => (true, id),
        _ => return not_found(file),
    };
    let batches = lock(&state.batches);
    let Some(held) = batches.get(id).filter(|h| h.over(&state.script) && h.failure.is_none()) else {
        return not_found(file);
    };
    let kept: Vec<(usize, Kept)> = held
        .requests
        .iter()
        .cloned()
        .enumerate()
        .filter(|(_, k)| matches!(k.reply, BatchReply::Text(_)) != errors)
        .rev()
        .collect();
    Answer::Lines(Box::new(kept.into_iter().map(|(i, kept)| line(i, &kept).to_string())))
}

/// The output or error file's line of request `i`.
fn line(i: usize, kept: &Kept) -> Value {
    let (response, error) = match &kept.reply {
        BatchReply::Text(text) => (
            json!({"status_code": 200, "request_id": format!("req_{i}"), "body": chat_completion(text)}),
            Value::Null,
        ),
        BatchReply::Error { status, message } => (
            json!({"status_code": status, "request_id": format!("req_{i}"), "body": {"error": {"message": message, "type": "invalid_request_error", "param": null, "code": null}}}),
            Value::Null,
        ),
        BatchReply::Expired => (
            Value::Null,
            json!({"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}),
        ),
        BatchReply::Canceled => (
            Value::Null,
            json!({"code": "batch_cancelled", "message": "This request was cancelled before it was executed."}),
        ),
    };
    json!({"id": format!("batch_req_{i}"), "custom_id": kept.custom_id, "response": response, "error": error})
}

/// A Chat Completions body of `text`, as [`ScriptedResponse::openai`] sends it.
fn chat_completion(text: &str) -> Value {
    json!({
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "model": "scripted-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": words(text), "total_tokens": 12 + words(text)},
    })
}

/// A multipart/form-data body split into its parts as it arrives.
struct Multipart {
    /// `\r\n--boundary`: the body is read as if it started with `\r\n`.
    delimiter: Vec<u8>,
    buffer: Vec<u8>,
    phase: Phase,
}

enum Phase {
    Delimiter,
    AfterDelimiter,
    Headers,
    Content(String),
    Done,
}

impl Multipart {
    fn new(boundary: &str) -> Self {
        Self {
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            buffer: b"\r\n".to_vec(),
            phase: Phase::Delimiter,
        }
    }

    /// Feeds `bytes`; `content` gets each part's name and its bytes, a piece at a time.
    fn feed(&mut self, bytes: &[u8], content: &mut dyn FnMut(&str, &[u8])) {
        self.buffer.extend_from_slice(bytes);
        loop {
            match &self.phase {
                Phase::Delimiter => match find(&self.buffer, &self.delimiter) {
                    Some(at) => {
                        self.buffer.drain(..at + self.delimiter.len());
                        self.phase = Phase::AfterDelimiter;
                    }
                    None => {
                        let keep = self.buffer.len().saturating_sub(self.delimiter.len());
                        self.buffer.drain(..keep);
                        return;
                    }
                },
                Phase::AfterDelimiter => {
                    if self.buffer.len() < 2 {
                        return;
                    }
                    if self.buffer.starts_with(b"--") {
                        self.phase = Phase::Done;
                    } else {
                        self.buffer.drain(..2);
                        self.phase = Phase::Headers;
                    }
                }
                Phase::Headers => {
                    let Some(at) = find(&self.buffer, b"\r\n\r\n") else { return };
                    let headers = String::from_utf8_lossy(&self.buffer[..at]).into_owned();
                    let name = headers
                        .split("name=\"")
                        .nth(1)
                        .and_then(|rest| rest.split('"').next())
                        .unwrap_or_default()
                        .to_owned();
                    self.buffer.drain(..at + 4);
                    self.phase = Phase::Content(name);
                }
                Phase::Content(name) => match find(&self.buffer, &self.delimiter) {
                    Some(at) => {
                        content(name, &self.buffer[..at]);
                        self.buffer.drain(..at);
                        self.phase = Phase::Delimiter;
                    }
                    None => {
                        let safe = self.buffer.len().saturating_sub(self.delimiter.len());
                        content(name, &self.buffer[..safe]);
                        self.buffer.drain(..safe);
                        return;
                    }
                },
                Phase::Done => {
                    self.buffer.clear();
                    return;
                }
            }
        }
    }
}

/// Where `needle` starts in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(at) = haystack.get(from..)?.iter().position(|&b| b == first) {
        let at = from + at;
        if haystack.len() - at < needle.len() {
            return None;
        }
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}
