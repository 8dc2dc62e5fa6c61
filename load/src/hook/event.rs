//! Claude Code's hook events, as far as the contract checks read them.
//!
//! The fields are those Claude Code sends (checked against version 2.1.332); every field is
//! optional but `hook_event_name`, since an event that lacks one is answered by the error
//! policy rather than refused, and unknown fields are ignored.

use serde::Deserialize;
use serde_json::Value;

/// The most bytes of a hook event read from stdin: 16 MiB (a prompt, a reply and paths).
pub const MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

/// One hook event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum HookEvent {
    /// `PreToolUse`: a tool is about to run.
    PreToolUse(PreToolUse),
    /// `SubagentStop`: a subagent is about to return its last message.
    SubagentStop(SubagentStop),
    /// Any other event, by name: answered with no decision.
    Other(String),
}

/// A `PreToolUse` event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PreToolUse {
    /// The session.
    #[serde(default)]
    pub session_id: Option<String>,
    /// The project folder Claude Code runs in.
    #[serde(default)]
    pub cwd: Option<String>,
    /// The tool: `Agent` (older versions: `Task`) for a subagent call.
    #[serde(default)]
    pub tool_name: String,
    /// The tool's input: for `Agent`, `subagent_type`, `description`, `prompt`...
    #[serde(default)]
    pub tool_input: Value,
    /// The id of the tool call.
    #[serde(default)]
    pub tool_use_id: Option<String>,
    /// Set when the tool call is made inside a subagent.
    #[serde(default)]
    pub agent_id: Option<String>,
}

impl PreToolUse {
    /// Whether the tool starts a subagent.
    pub fn is_subagent_call(&self) -> bool {
        matches!(self.tool_name.as_str(), "Agent" | "Task")
    }

    /// `tool_input.subagent_type`; Claude Code's default, `general-purpose`, when absent.
    pub fn subagent_type(&self) -> &str {
        self.tool_input.get("subagent_type").and_then(Value::as_str).unwrap_or("general-purpose")
    }

    /// `tool_input.prompt` (empty when absent).
    pub fn prompt(&self) -> &str {
        self.tool_input.get("prompt").and_then(Value::as_str).unwrap_or_default()
    }
}

/// A `SubagentStop` event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SubagentStop {
    /// The session.
    #[serde(default)]
    pub session_id: Option<String>,
    /// The project folder.
    #[serde(default)]
    pub cwd: Option<String>,
    /// The subagent's id, the same through its repairs.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// The subagent's type: its agent's `name`.
    #[serde(default)]
    pub agent_type: Option<String>,
    /// The subagent's transcript (JSON lines); its first line holds the prompt.
    #[serde(default)]
    pub agent_transcript_path: Option<String>,
    /// The reply the subagent is about to return.
    #[serde(default)]
    pub last_assistant_message: Option<String>,
    /// Whether a stop hook already sent the subagent back at least once.
    #[serde(default)]
    pub stop_hook_active: bool,
}

/// An event that is not what the hook protocol says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError(pub String);

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the hook event is not what Claude Code sends: {}", self.0)
    }
}

impl std::error::Error for EventError {}

impl HookEvent {
    /// Reads an event from its JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, EventError> {
        if bytes.len() > MAX_EVENT_BYTES {
            return Err(EventError(format!("it is larger than {MAX_EVENT_BYTES} bytes")));
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| EventError(format!("not JSON: {e}")))?;
        let Some(name) = value.get("hook_event_name").and_then(Value::as_str) else {
            return Err(EventError("no `hook_event_name`".into()));
        };
        let wrong = |e: serde_json::Error| EventError(format!("a `{name}` event of the wrong shape: {e}"));
        Ok(match name {
            "PreToolUse" => HookEvent::PreToolUse(PreToolUse::deserialize(&value).map_err(wrong)?),
            "SubagentStop" => HookEvent::SubagentStop(SubagentStop::deserialize(&value).map_err(wrong)?),
            other => HookEvent::Other(other.to_owned()),
        })
    }

    /// The folder Claude Code says it runs in, when the event says.
    pub fn cwd(&self) -> Option<&str> {
        match self {
            HookEvent::PreToolUse(call) => call.cwd.as_deref(),
            HookEvent::SubagentStop(stop) => stop.cwd.as_deref(),
            HookEvent::Other(_) => None,
        }
    }

    /// The event's name (`PreToolUse`...).
    pub fn name(&self) -> &str {
        match self {
            HookEvent::PreToolUse(_) => "PreToolUse",
            HookEvent::SubagentStop(_) => "SubagentStop",
            HookEvent::Other(name) => name,
        }
    }
}
