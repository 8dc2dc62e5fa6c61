//! Anthropic Messages replies with content beyond text (tool calls), whole or streamed the way
//! the Messages API streams them, and the helpers that read Anthropic requests, Claude Code's
//! among them: the system text, the last user message, the tool results it carries, and
//! whether a subagent sent it.

use serde_json::{json, Value};

use super::response::{split, words};
use super::{RecordedRequest, ScriptedResponse};

/// The model named in scripted Anthropic replies.
const MODEL: &str = "scripted-claude";
/// The characters per `text_delta`, and per `input_json_delta`, of
/// [`ScriptedResponse::anthropic_blocks_stream`].
const TEXT_PIECE: usize = 40;
const JSON_PIECE: usize = 30;

/// One content block of a scripted Anthropic Messages reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnthropicBlock {
    /// A `text` block.
    Text(String),
    /// A `tool_use` block: the client runs tool `name` with `input`, and answers with a
    /// `tool_result` whose `tool_use_id` is `id`.
    ToolUse {
        /// The call's id (`toolu_...`), which the tool result names.
        id: String,
        /// The tool (`Agent` for a Claude Code subagent).
        name: String,
        /// The tool's arguments, a JSON object.
        input: Value,
    },
}

impl AnthropicBlock {
    /// A `text` block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// A `tool_use` block calling `name` with `input`.
    pub fn tool_use(id: impl Into<String>, name: impl Into<String>, input: Value) -> Self {
        Self::ToolUse { id: id.into(), name: name.into(), input }
    }

    /// The block as the Messages API writes it in a whole reply.
    fn to_json(&self) -> Value {
        match self {
            Self::Text(text) => json!({"type": "text", "text": text}),
            Self::ToolUse { id, name, input } => {
                json!({"type": "tool_use", "id": id, "name": name, "input": input})
            }
        }
    }

    /// The block's `content_block_start` content and its deltas.
    fn stream_parts(&self, text_piece: usize) -> (Value, Vec<Value>) {
        match self {
            Self::Text(text) => (
                json!({"type": "text", "text": ""}),
                split(text, text_piece)
                    .into_iter()
                    .map(|piece| json!({"type": "text_delta", "text": piece}))
                    .collect(),
            ),
            Self::ToolUse { id, name, input } => (
                json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                split(&input.to_string(), JSON_PIECE)
                    .into_iter()
                    .map(|piece| json!({"type": "input_json_delta", "partial_json": piece}))
                    .collect(),
            ),
        }
    }
}

/// The output tokens counted for `blocks`: one per word of text, one per tool call.
fn output_tokens(blocks: &[AnthropicBlock]) -> usize {
    blocks
        .iter()
        .map(|block| match block {
            AnthropicBlock::Text(text) => words(text),
            AnthropicBlock::ToolUse { .. } => 1,
        })
        .sum()
}

impl ScriptedResponse {
    /// An Anthropic Messages reply of `blocks` ending with `stop_reason` (`"end_turn"`,
    /// `"tool_use"`). Usage: 12 input tokens, one output token per word of text and per tool
    /// call.
    pub fn anthropic_blocks(blocks: impl IntoIterator<Item = AnthropicBlock>, stop_reason: &str) -> Self {
        let blocks: Vec<AnthropicBlock> = blocks.into_iter().collect();
        Self::json(
            200,
            &json!({
                "id": "msg_scripted",
                "type": "message",
                "role": "assistant",
                "model": MODEL,
                "content": blocks.iter().map(AnthropicBlock::to_json).collect::<Vec<_>>(),
                "stop_reason": stop_reason,
                "stop_sequence": null,
                "usage": {"input_tokens": 12, "output_tokens": output_tokens(&blocks)},
            }),
        )
    }

    /// The same reply streamed as the Messages API streams it, which Claude Code accepts:
    /// `message_start` (with usage), then for each block `content_block_start`, its deltas
    /// (`text_delta` pieces of 40 characters, or the tool input's JSON in `input_json_delta`
    /// pieces of 30) and `content_block_stop`, then `message_delta` with `stop_reason` and
    /// the output tokens, and `message_stop`.
    pub fn anthropic_blocks_stream(
        blocks: impl IntoIterator<Item = AnthropicBlock>,
        stop_reason: &str,
    ) -> Self {
        let blocks: Vec<AnthropicBlock> = blocks.into_iter().collect();
        anthropic_event_stream(&blocks, stop_reason, TEXT_PIECE)
    }

    /// A streamed Anthropic Messages reply of `text`, in pieces of at most `piece_chars`
    /// characters.
    pub fn anthropic_stream(text: &str, piece_chars: usize) -> Self {
        anthropic_event_stream(&[AnthropicBlock::text(text)], "end_turn", piece_chars)
    }
}

/// The event stream of a Messages reply of `blocks`.
fn anthropic_event_stream(
    blocks: &[AnthropicBlock],
    stop_reason: &str,
    text_piece: usize,
) -> ScriptedResponse {
    let usage = json!({"input_tokens": 12, "output_tokens": 1, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0});
    let mut events = vec![json!({"type": "message_start", "message": {
        "id": "msg_scripted", "type": "message", "role": "assistant", "model": MODEL, "content": [],
        "stop_reason": null, "stop_sequence": null, "usage": usage,
    }})];
    for (index, block) in blocks.iter().enumerate() {
        let (start, deltas) = block.stream_parts(text_piece);
        events.push(json!({"type": "content_block_start", "index": index, "content_block": start}));
        events.extend(
            deltas
                .into_iter()
                .map(|delta| json!({"type": "content_block_delta", "index": index, "delta": delta})),
        );
        events.push(json!({"type": "content_block_stop", "index": index}));
    }
    events.push(json!({
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": null},
        "usage": {"output_tokens": output_tokens(blocks)},
    }));
    events.push(json!({"type": "message_stop"}));
    ScriptedResponse::event_stream(
        events
            .iter()
            .map(|data| {
                format!("event: {}\ndata: {data}\n\n", data["type"].as_str().unwrap_or_default()).into_bytes()
            })
            .collect(),
    )
}

/// A `tool_result` block of a request: what a client sends back for a tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ToolResult {
    /// The `id` of the `tool_use` it answers.
    pub tool_use_id: String,
    /// Whether the tool failed (`is_error: true`).
    pub is_error: bool,
    /// The content: the string, or its text blocks joined with newlines.
    pub text: String,
}

/// The text of a message's or tool result's `content`: the string, or the text of its `text`
/// blocks joined with newlines.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter(|block| block["type"] == "text")
            .filter_map(|block| block["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

impl RecordedRequest {
    /// The path without its query: `/v1/messages` for Claude Code's `/v1/messages?beta=true`.
    pub fn path_without_query(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// The Messages `system` field as text: the string, or the text of its blocks joined with
    /// newlines. Empty when the body has none.
    pub fn system_text(&self) -> String {
        self.json().map(|body| content_text(&body["system"])).unwrap_or_default()
    }

    /// Whether Claude Code sent this request for a subagent: it has the
    /// `x-claude-code-agent-id` header, or `cc_is_subagent=true` in its system text. The
    /// agent's body starts one of the system blocks, which tells which agent it is.
    pub fn is_claude_code_subagent(&self) -> bool {
        self.header("x-claude-code-agent-id").is_some() || self.system_text().contains("cc_is_subagent=true")
    }

    /// The `messages` of the body, in order; empty when there are none. Claude Code puts
    /// `role: "system"` entries among them.
    pub fn messages(&self) -> Vec<Value> {
        match self.json() {
            Some(Value::Object(mut body)) => match body.remove("messages") {
                Some(Value::Array(messages)) => messages,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The last message whose role is `user`, skipping the `system` entries after it.
    fn last_user_message(&self) -> Option<Value> {
        self.messages().into_iter().rev().find(|message| message["role"] == "user")
    }

    /// The text of the last `user` message: its string content, or its `text` blocks joined
    /// with newlines (tool results left out). `None` without a user message.
    ///
    /// For a Claude Code subagent's first request, it is exactly the `prompt` of the `Agent`
    /// call; a parent's first request has a `<system-reminder>` block before the prompt.
    pub fn last_user_text(&self) -> Option<String> {
        self.last_user_message().map(|message| content_text(&message["content"]))
    }

    /// The `tool_result` blocks of the last `user` message, in order.
    pub fn tool_results(&self) -> Vec<ToolResult> {
        let Some(message) = self.last_user_message() else { return Vec::new() };
        let Some(blocks) = message["content"].as_array() else { return Vec::new() };
        blocks
            .iter()
            .filter(|block| block["type"] == "tool_result")
            .map(|block| ToolResult {
                tool_use_id: block["tool_use_id"].as_str().unwrap_or_default().to_owned(),
                is_error: block["is_error"].as_bool().unwrap_or(false),
                text: content_text(&block["content"]),
            })
            .collect()
    }

    /// The names of the tools the request offers (`Agent`, `Read`...), in order.
    pub fn tool_names(&self) -> Vec<String> {
        let Some(body) = self.json() else { return Vec::new() };
        let Some(tools) = body["tools"].as_array() else { return Vec::new() };
        tools.iter().filter_map(|tool| tool["name"].as_str()).map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)], body: &Value) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/v1/messages?beta=true".into(),
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: body.to_string().into_bytes(),
        }
    }

    /// The `data` of every event of a scripted stream, checking each `event:` line.
    fn events(response: &ScriptedResponse) -> Vec<Value> {
        let body = String::from_utf8(response.body()).unwrap();
        body.split("\n\n")
            .filter(|event| !event.is_empty())
            .map(|event| {
                let (name, data) = event.split_once('\n').unwrap();
                let data: Value = serde_json::from_str(data.strip_prefix("data: ").unwrap()).unwrap();
                assert_eq!(name.strip_prefix("event: ").unwrap(), data["type"]);
                data
            })
            .collect()
    }

    #[test]
    fn a_streamed_tool_call_carries_its_input_in_json_pieces() {
        let input = json!({"description": "Review", "prompt": "Review README.md — carefully", "run_in_background": false});
        let blocks = [
            AnthropicBlock::text("Delegating."),
            AnthropicBlock::tool_use("toolu_1", "Agent", input.clone()),
        ];
        let events = events(&ScriptedResponse::anthropic_blocks_stream(blocks, "tool_use"));
        let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds[0], "message_start");
        assert_eq!(events[0]["message"]["content"], json!([]));
        assert_eq!(events[0]["message"]["usage"]["input_tokens"], 12);
        assert_eq!(kinds[1..4], ["content_block_start", "content_block_delta", "content_block_stop"]);
        assert_eq!(
            events[4]["content_block"],
            json!({"type": "tool_use", "id": "toolu_1", "name": "Agent", "input": {}})
        );
        let json: String = events
            .iter()
            .filter(|e| e["index"] == 1 && e["type"] == "content_block_delta")
            .map(|e| e["delta"]["partial_json"].as_str().unwrap())
            .collect();
        assert!(json.len() > JSON_PIECE);
        assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), input);
        let end = &events[events.len() - 2];
        assert_eq!(end["delta"]["stop_reason"], "tool_use");
        assert_eq!(end["usage"]["output_tokens"], 2);
        assert_eq!(kinds.last(), Some(&"message_stop"));
    }

    #[test]
    fn a_whole_reply_holds_every_block() {
        let response = ScriptedResponse::anthropic_blocks(
            [AnthropicBlock::tool_use("toolu_2", "Read", json!({"file_path": "/a"}))],
            "tool_use",
        );
        let body: Value = serde_json::from_slice(&response.body()).unwrap();
        assert_eq!(
            body["content"],
            json!([{"type": "tool_use", "id": "toolu_2", "name": "Read", "input": {"file_path": "/a"}}])
        );
        assert_eq!(body["stop_reason"], "tool_use");
    }

    #[test]
    fn claude_code_requests_are_read_whatever_their_content_shapes() {
        let parent = request(
            &[],
            &json!({
                "system": [{"type": "text", "text": "billing"}, {"type": "text", "text": "You are Claude."}],
                "tools": [{"name": "Agent"}, {"name": "Read"}],
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "<system-reminder>x</system-reminder>"}, {"type": "text", "text": "Go."}]},
                    {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Agent", "input": {}}, {"type": "tool_use", "id": "t2", "name": "Agent", "input": {}}]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]},
                        {"type": "tool_result", "tool_use_id": "t2", "content": "Agent type 'x' not found.", "is_error": true},
                    ]},
                    {"role": "system", "content": [{"type": "text", "text": "# Environment"}]},
                ],
            }),
        );
        assert_eq!(parent.path_without_query(), "/v1/messages");
        assert_eq!(parent.system_text(), "billing\nYou are Claude.");
        assert!(!parent.is_claude_code_subagent());
        assert_eq!(parent.messages().len(), 4);
        assert_eq!(parent.last_user_text().as_deref(), Some(""));
        assert_eq!(parent.tool_names(), ["Agent", "Read"]);
        let results = parent.tool_results();
        assert_eq!(
            results,
            [
                ToolResult { tool_use_id: "t1".into(), is_error: false, text: "one\ntwo".into() },
                ToolResult {
                    tool_use_id: "t2".into(),
                    is_error: true,
                    text: "Agent type 'x' not found.".into()
                },
            ]
        );

        let by_header = request(
            &[("x-claude-code-agent-id", "a1")],
            &json!({"messages": [{"role": "user", "content": "Review."}]}),
        );
        assert!(by_header.is_claude_code_subagent());
        assert_eq!(by_header.last_user_text().as_deref(), Some("Review."));
        assert!(by_header.tool_results().is_empty());
        let by_system = request(&[], &json!({"system": "cc_version=1; cc_is_subagent=true;"}));
        assert!(by_system.is_claude_code_subagent());
        assert_eq!(by_system.last_user_text(), None);

        let not_json = RecordedRequest { body: b"{not json".to_vec(), ..by_system };
        assert_eq!(not_json.system_text(), "");
        assert!(
            not_json.messages().is_empty()
                && not_json.tool_results().is_empty()
                && not_json.tool_names().is_empty()
        );
    }
}
