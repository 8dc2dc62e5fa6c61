//! The resumable sessions: which session the CLI kept for each of the last conversations a
//! client answered, found by a keyed hash of the conversation.

use std::collections::hash_map::{DefaultHasher, RandomState};
use std::collections::VecDeque;
use std::hash::Hasher;
use std::sync::{Mutex, PoisonError};

use crate::client::Role;

/// How many conversations a client remembers the session of.
const REMEMBERED_SESSIONS: usize = 64;

/// The longest session id remembered (the CLI's are UUIDs, 36 characters).
const SESSION_ID_LIMIT: usize = 128;

/// What the CLI says, on stderr and in its result, when `--resume` names a session it does
/// not have.
pub(super) const NO_SESSION: &str = "No conversation found with session ID";

/// A session the CLI kept.
#[derive(Debug, Clone)]
pub(super) struct Remembered {
    key: u64,
    pub(super) id: String,
    /// The session's cost so far, as the CLI reported it.
    pub(super) cost_usd: Option<f64>,
}

/// The sessions of the last [`REMEMBERED_SESSIONS`] conversations, oldest first.
#[derive(Default)]
pub(super) struct Sessions {
    pub(super) keys: RandomState,
    entries: Mutex<VecDeque<Remembered>>,
}

impl Sessions {
    pub(super) fn find(&self, key: u64) -> Option<Remembered> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.iter().find(|entry| entry.key == key).cloned()
    }

    pub(super) fn remember(&self, key: u64, id: String, cost_usd: Option<f64>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|entry| entry.key != key);
        entries.push_back(Remembered { key, id, cost_usd });
        while entries.len() > REMEMBERED_SESSIONS {
            entries.pop_front();
        }
    }

    pub(super) fn forget(&self, session: Option<&Remembered>) {
        if let Some(session) = session {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            entries.retain(|entry| entry.key != session.key);
        }
    }
}

/// A conversation's key: a keyed hash of the call's settings and its messages. Bytes go to
/// the hasher in blocks of a fixed size, so a reply hashed piece by piece as it streams
/// hashes as it does whole (`Hasher` does not promise that of its own `write` calls).
#[derive(Clone)]
pub(super) struct Key {
    hasher: DefaultHasher,
    block: [u8; 64],
    filled: usize,
}

impl Key {
    pub(super) fn new(hasher: DefaultHasher) -> Self {
        Self { hasher, block: [0; 64], filled: 0 }
    }

    pub(super) fn bytes(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = (self.block.len() - self.filled).min(bytes.len());
            self.block[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled == self.block.len() {
                self.hasher.write(&self.block);
                self.filled = 0;
            }
        }
    }

    /// A field of the settings, its length first.
    pub(super) fn field(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }

    /// A message: its role, its text, then a byte no UTF-8 text holds.
    pub(super) fn message(&mut self, role: Role, text: &str) {
        self.start_message(role);
        self.bytes(text.as_bytes());
        self.end_message();
    }

    pub(super) fn start_message(&mut self, role: Role) {
        self.bytes(&[match role {
            Role::User => 1,
            Role::Assistant => 2,
        }]);
    }

    pub(super) fn end_message(&mut self) {
        self.bytes(&[0xff]);
    }

    pub(super) fn finish(&self) -> u64 {
        let mut hasher = self.hasher.clone();
        hasher.write(&self.block[..self.filled]);
        hasher.finish()
    }
}

/// Whether `id` can be passed back as `--resume <id>`: letters, digits, `-` and `_`, not
/// starting with `-` (which would read as an option).
pub(super) fn is_session_id(id: &str) -> bool {
    (1..=SESSION_ID_LIMIT).contains(&id.len())
        && !id.starts_with('-')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn at_most_64_sessions_are_remembered() {
        let sessions = Sessions::default();
        for key in 0..100u64 {
            sessions.remember(key, format!("s-{key}"), None);
        }
        assert!(sessions.find(35).is_none());
        assert_eq!(sessions.find(36).unwrap().id, "s-36");
        assert_eq!(sessions.entries.lock().unwrap().len(), 64);
        sessions.remember(36, "again".to_owned(), None);
        assert_eq!(sessions.find(36).unwrap().id, "again");
        assert_eq!(sessions.entries.lock().unwrap().len(), 64);
    }

    #[test]
    fn a_key_does_not_depend_on_how_the_text_is_split() {
        let keys = RandomState::new();
        let mut whole = Key::new(keys.build_hasher());
        whole.message(Role::Assistant, &"x".repeat(200));
        let mut pieces = Key::new(keys.build_hasher());
        pieces.start_message(Role::Assistant);
        for piece in [1, 63, 64, 7, 65] {
            pieces.bytes("x".repeat(piece).as_bytes());
        }
        pieces.end_message();
        assert_eq!(whole.finish(), pieces.finish());
        let mut shorter = Key::new(keys.build_hasher());
        shorter.message(Role::Assistant, &"x".repeat(199));
        assert_ne!(whole.finish(), shorter.finish());
    }

    #[test]
    fn only_plain_session_ids_are_passed_back() {
        assert!(is_session_id("cad66ad6-f51f-425c-8b0e-d96d8f48aecf"));
        assert!(!is_session_id("--dangerously-skip-permissions"));
        assert!(!is_session_id("a b"));
        assert!(!is_session_id(""));
        assert!(!is_session_id(&"a".repeat(129)));
    }
}
