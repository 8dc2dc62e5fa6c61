//! Anthropic's Message Batches, scripted: `POST /v1/messages/batches` (`{"requests":
//! [{custom_id, params}]}`, read as it arrives), `GET /v1/messages/batches/{id}` and
//! `GET /v1/messages/batches/{id}/results` (JSONL).

use std::collections::HashSet;
use std::io;
use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use super::super::response::words;
use super::{
    bad_request, conversation, lock, not_found, valid_custom_id, Answer, BatchApi, BatchReply, BatchRequest,
    Body, Held, Kept, State,
};
use crate::scripted::ScriptedResponse;

/// Reads the requests of a new batch as they arrive.
pub(super) async fn create(body: &mut Body<'_>, state: &State) -> io::Result<Answer> {
    let batch = state.made.fetch_add(1, Ordering::SeqCst);
    let mut splitter = Splitter::default();
    let mut kept = Vec::new();
    let mut seen = HashSet::new();
    let mut error = None;
    while let Some(piece) = body.piece().await? {
        splitter.feed(&piece, &mut |element| {
            if error.is_some() {
                return;
            }
            match read(element, batch, kept.len(), &mut seen, state) {
                Ok(request) => kept.push(request),
                Err(message) => error = Some(format!("requests.{}: {message}", kept.len())),
            }
        });
    }
    if let Some(message) = error.or_else(|| splitter.error.clone()) {
        return Ok(bad_request(&message));
    }
    if kept.is_empty() {
        return Ok(bad_request("`requests` is empty"));
    }
    let id = format!("msgbatch_{batch}");
    let held = Held { api: BatchApi::Anthropic, requests: kept, polls: 0, failure: None };
    let object = batch_object(&id, &held, state);
    lock(&state.batches).insert(id, held);
    Ok(Answer::Response(ScriptedResponse::json(200, &object)))
}

fn read(
    element: &[u8],
    batch: usize,
    line: usize,
    seen: &mut HashSet<String>,
    state: &State,
) -> Result<Kept, String> {
    let value: Value = serde_json::from_slice(element).map_err(|e| format!("not JSON: {e}"))?;
    let custom_id = value["custom_id"].as_str().ok_or("no `custom_id`")?;
    if !valid_custom_id(custom_id) {
        return Err(format!("`custom_id` `{custom_id}` is not 1 to 64 characters of [a-zA-Z0-9_-]"));
    }
    if !seen.insert(custom_id.to_owned()) {
        return Err(format!("`custom_id` `{custom_id}` is not unique"));
    }
    let params = &value["params"];
    if !params["model"].is_string() || !params["max_tokens"].is_u64() || !params["messages"].is_array() {
        return Err("`params` needs `model`, `max_tokens` and `messages`".to_owned());
    }
    let (messages, last_message) = conversation(&params["messages"]);
    let request = BatchRequest { api: BatchApi::Anthropic, batch, line, custom_id, messages, last_message };
    Ok(Kept { custom_id: custom_id.to_owned(), reply: state.answer(&request) })
}

/// `GET /v1/messages/batches/{id}`: one poll more.
pub(super) fn status(id: &str, state: &State) -> Answer {
    let mut batches = lock(&state.batches);
    let Some(held) = batches.get_mut(id).filter(|h| h.api == BatchApi::Anthropic) else {
        return not_found(id);
    };
    held.polls += 1;
    Answer::Response(ScriptedResponse::json(200, &batch_object(id, held, state)))
}

fn batch_object(id: &str, held: &Held, state: &State) -> Value {
    let total = held.requests.len();
    let over = held.polls > 0 && held.over(&state.script);
    let count = |wanted: fn(&BatchReply) -> bool| if over { held.count(wanted) } else { 0 };
    let replies = held.count(|r| matches!(r, BatchReply::Text(_)));
    let succeeded = if over { replies } else { replies * held.polls / (state.script.polls + 1) };
    let errored = count(|r| matches!(r, BatchReply::Error { .. }));
    let expired = count(|r| *r == BatchReply::Expired);
    let canceled = count(|r| *r == BatchReply::Canceled);
    let at = |end: bool| if end { json!("2026-01-01T00:00:00Z") } else { Value::Null };
    json!({
        "id": id,
        "type": "message_batch",
        "processing_status": if over { "ended" } else { "in_progress" },
        "request_counts": {
            "processing": total - succeeded - errored - expired - canceled,
            "succeeded": succeeded,
            "errored": errored,
            "canceled": canceled,
            "expired": expired,
        },
        "ended_at": at(over),
        "created_at": "2026-01-01T00:00:00Z",
        "expires_at": "2026-01-02T00:00:00Z",
        "cancel_initiated_at": null,
        "archived_at": null,
        "results_url": over.then(|| format!("{}/v1/messages/batches/{id}/results", state.base)),
    })
}

/// `GET /v1/messages/batches/{id}/results`: a line per request, in reverse order.
pub(super) fn results(id: &str, state: &State) -> Answer {
    let batches = lock(&state.batches);
    let Some(held) =
        batches.get(id).filter(|h| h.api == BatchApi::Anthropic && h.polls > 0 && h.over(&state.script))
    else {
        return not_found(id);
    };
    let kept: Vec<Kept> = held.requests.iter().rev().cloned().collect();
    Answer::Lines(Box::new(kept.into_iter().map(|kept| line(&kept).to_string())))
}

fn line(kept: &Kept) -> Value {
    let result = match &kept.reply {
        BatchReply::Text(text) => json!({
            "type": "succeeded",
            "message": {
                "id": "msg_scripted",
                "type": "message",
                "role": "assistant",
                "model": "scripted-claude",
                "content": [{"type": "text", "text": &**text}],
                "stop_reason": "end_turn",
                "stop_sequence": null,
                "usage": {"input_tokens": 12, "output_tokens": words(text)},
            },
        }),
        BatchReply::Error { message, .. } => json!({
            "type": "errored",
            "error": {"type": "error", "error": {"type": "invalid_request_error", "message": message}},
        }),
        BatchReply::Expired => json!({"type": "expired"}),
        BatchReply::Canceled => json!({"type": "canceled"}),
    };
    json!({"custom_id": kept.custom_id, "result": result})
}

/// Splits `{"requests": [element, ...]}` into its elements as the bytes arrive: the objects
/// one level inside the top object's array. Strings are followed, so brackets in them do not
/// count.
#[derive(Default)]
struct Splitter {
    depth: usize,
    in_string: bool,
    escaped: bool,
    element: Vec<u8>,
    error: Option<String>,
}

impl Splitter {
    fn feed(&mut self, bytes: &[u8], element: &mut dyn FnMut(&[u8])) {
        let mut start = (self.depth >= 3).then_some(0);
        for (i, &b) in bytes.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth == 3 {
                        start = Some(i);
                    }
                }
                b'}' | b']' => {
                    if self.depth == 3 {
                        if let Some(from) = start.take() {
                            self.element.extend_from_slice(&bytes[from..=i]);
                        }
                        if self.element.len() <= super::LINE_LIMIT {
                            element(&self.element);
                        } else {
                            self.error.get_or_insert_with(|| "a request is too large".to_owned());
                        }
                        self.element.clear();
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                _ => {}
            }
        }
        if let Some(from) = start {
            if self.element.len() <= super::LINE_LIMIT {
                self.element.extend_from_slice(&bytes[from..]);
            }
        }
    }
}
