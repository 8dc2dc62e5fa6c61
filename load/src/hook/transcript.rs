//! What the hook reads from a subagent's transcript (JSON lines): the prompt the subagent was
//! started with (its first user message), and how many times this hook already sent the
//! subagent back (its own feedback, which Claude Code records as user messages).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;

/// The most bytes of a transcript read: 64 MiB.
pub const MAX_TRANSCRIPT_BYTES: u64 = 64 * 1024 * 1024;

/// What a transcript says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Transcript {
    /// The text of the first user message: the subagent's prompt.
    pub(crate) prompt: Option<String>,
    /// User messages that hold `marker`: repair requests this hook made.
    pub(crate) repairs: u32,
}

/// Reads the transcript at `path`, counting user messages that hold `marker`.
pub(crate) fn read(path: &Path, marker: &str) -> std::io::Result<Transcript> {
    let file = std::fs::File::open(path)?;
    let reader = BufReader::new(file.take(MAX_TRANSCRIPT_BYTES));
    let mut transcript = Transcript::default();
    for line in reader.split(b'\n') {
        let line = line?;
        // Only user lines matter; most lines of a long transcript are tool calls and replies.
        if memchr::memmem::find(&line, b"\"user\"").is_none() {
            continue;
        }
        let Ok(entry) = serde_json::from_slice::<Value>(&line) else { continue };
        if entry["type"] != "user" {
            continue;
        }
        let text = message_text(&entry["message"]["content"]);
        if transcript.prompt.is_none() {
            transcript.prompt = Some(text);
        } else if text.contains(marker) {
            transcript.repairs = transcript.repairs.saturating_add(1);
        }
    }
    Ok(transcript)
}

/// The text of a message's `content`: a string, or the text of its `text` blocks.
fn message_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_user_message_is_the_prompt_and_marked_ones_are_repairs() {
        let dir = std::env::temp_dir().join(format!("agentbind-transcript-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("agent.jsonl");
        let lines = [
            r#"{"type":"user","message":{"role":"user","content":"**MODE: X**\n## Task\nDo it."}}"#,
            r#"{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"[agentbind] no"}]}}"#,
            r#"{"type":"user","message":{"role":"user","content":[{"type":"text","text":"Stop hook feedback:\n[agentbind] fix it"}]}}"#,
            "not json",
            r#"{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"x"}]}}"#,
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        let transcript = read(&path, "[agentbind]").unwrap();
        assert_eq!(transcript.prompt.as_deref(), Some("**MODE: X**\n## Task\nDo it."));
        assert_eq!(transcript.repairs, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
