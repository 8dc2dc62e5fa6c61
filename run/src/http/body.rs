//! Request bodies: JSON written field by field, and the system prompts already escaped.

use crate::client::Message;

/// A JSON request body written field by field: the system prompt (often tens of KB) is
/// escaped straight into the body instead of being copied into a `serde_json::Value` first.
pub(crate) struct JsonBody {
    out: Vec<u8>,
}

impl JsonBody {
    /// An empty object, with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity + 64);
        out.push(b'{');
        Self { out }
    }

    fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.out.push(b',');
        }
        self.string(key);
        self.out.push(b':');
    }

    /// `"key": <json>`, where `json` is already a JSON value.
    #[cfg_attr(not(feature = "anthropic"), allow(dead_code))]
    pub(crate) fn raw(&mut self, key: &str, json: &[u8]) {
        self.key(key);
        self.out.extend_from_slice(json);
    }

    fn string(&mut self, text: &str) {
        // Writing to a Vec cannot fail, and a str always serializes.
        let _ = serde_json::to_writer(&mut self.out, text);
    }

    /// `"key": "text"`.
    pub(crate) fn text(&mut self, key: &str, text: &str) {
        self.key(key);
        self.string(text);
    }

    /// `"key": value`, any JSON value.
    pub(crate) fn value(&mut self, key: &str, value: &serde_json::Value) {
        self.key(key);
        let _ = serde_json::to_writer(&mut self.out, value);
    }

    /// `"key": [{"role": ..., "content": ...}, ...]`, after a system message whose content is
    /// `system`, already JSON, when given.
    pub(crate) fn messages(&mut self, key: &str, system: Option<&[u8]>, messages: &[Message]) {
        self.key(key);
        self.out.push(b'[');
        if let Some(system) = system {
            self.out.extend_from_slice(b"{\"role\":\"system\",\"content\":");
            self.out.extend_from_slice(system);
            self.out.push(b'}');
        }
        for (i, message) in messages.iter().enumerate() {
            if i > 0 || system.is_some() {
                self.out.push(b',');
            }
            self.out.extend_from_slice(b"{\"role\":");
            self.string(message.role.as_str());
            self.out.extend_from_slice(b",\"content\":");
            self.string(&message.content);
            self.out.push(b'}');
        }
        self.out.push(b']');
    }

    /// The finished body.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

/// System prompts already written as JSON strings. Agents' system prompts are long (the
/// reference agent's is 23 KB) and the same for every call of an agent, so each client keeps
/// the escaped text of the last few it sent instead of escaping them again.
#[derive(Debug, Default)]
pub(crate) struct SystemPrompts {
    recent: std::sync::Mutex<std::collections::VecDeque<(String, std::sync::Arc<[u8]>)>>,
}

impl SystemPrompts {
    /// How many system prompts are kept.
    const KEPT: usize = 16;

    /// `system` as a JSON string.
    pub(crate) fn json(&self, system: &str) -> std::sync::Arc<[u8]> {
        let mut recent = self.recent.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, json)) = recent.iter().find(|(text, _)| text == system) {
            return std::sync::Arc::clone(json);
        }
        let json: std::sync::Arc<[u8]> = serde_json::to_vec(system).unwrap_or_default().into();
        if recent.len() == Self::KEPT {
            recent.pop_front();
        }
        recent.push_back((system.to_owned(), std::sync::Arc::clone(&json)));
        json
    }
}

impl Clone for SystemPrompts {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// Bytes a request body needs for `system` and `messages`, before escapes.
pub(crate) fn body_size(system: &str, messages: &[Message]) -> usize {
    system.len() + messages.iter().map(|m| m.content.len() + 32).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_are_the_json_of_their_fields() {
        let mut body = JsonBody::with_capacity(0);
        let system = SystemPrompts::default();
        let json = system.json("sys \"quoted\"\n");
        assert!(std::sync::Arc::ptr_eq(&json, &system.json("sys \"quoted\"\n")), "kept, not escaped again");
        body.messages("messages", Some(&json), &[Message::user("hi"), Message::assistant("ünï")]);
        body.text("model", "m");
        body.value("max_tokens", &serde_json::json!(5));
        let parsed: serde_json::Value = serde_json::from_slice(&body.finish()).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({
                "messages": [
                    {"role": "system", "content": "sys \"quoted\"\n"},
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "ünï"},
                ],
                "model": "m",
                "max_tokens": 5,
            })
        );
        assert_eq!(JsonBody::with_capacity(0).finish(), b"{}");
        let mut body = JsonBody::with_capacity(0);
        body.messages("m", None, &[Message::user("a"), Message::user("b")]);
        body.raw("s", &system.json("x"));
        let parsed: serde_json::Value = serde_json::from_slice(&body.finish()).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"m": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], "s": "x"})
        );
    }

    #[test]
    fn only_the_last_system_prompts_are_kept() {
        let system = SystemPrompts::default();
        for i in 0..40 {
            assert_eq!(&*system.json(&format!("prompt {i}")), format!("\"prompt {i}\"").as_bytes());
        }
        assert_eq!(system.recent.lock().unwrap().len(), SystemPrompts::KEPT);
    }
}
