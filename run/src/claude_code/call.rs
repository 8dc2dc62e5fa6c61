//! What one call runs: a new session with the whole conversation as its prompt, or the
//! remembered session resumed with only the last message (and a new session to fall back on).

use std::hash::BuildHasher;

use super::args::output_format;
use super::sessions::{Key, Remembered};
use super::ClaudeCode;
use crate::client::{Message, ModelRequest, Role};

impl ClaudeCode {
    /// What a call for `request` runs: a resumed session when the conversation before its
    /// last message is one this client answered, else a new one.
    pub(super) fn call(&self, request: &ModelRequest<'_>, stream: bool) -> Call {
        let settings = self.settings_arguments(request);
        let remembers = !self.args.iter().any(|a| a == "--no-session-persistence");
        let mut key = self.invocation_key(&settings);
        let mut resume = None;
        if let [earlier @ .., last] = request.messages {
            for message in earlier {
                key.message(message.role, &message.content);
            }
            if remembers && !earlier.is_empty() && last.role == Role::User {
                resume = self.sessions.find(key.finish()).map(|session| (session, last.content.clone()));
            }
            key.message(last.role, &last.content);
        }
        let mut args = output_format(stream);
        args.extend(settings);
        let fresh = |args| Attempt { args, prompt: transcript(request.messages), resumed: None };
        let (attempt, fallback) = match resume {
            Some((session, prompt)) => {
                let mut resuming = args.clone();
                resuming.extend(["--resume".to_owned(), session.id.clone(), "--fork-session".to_owned()]);
                (Attempt { args: resuming, prompt, resumed: Some(session) }, Some(fresh(args)))
            }
            None => (fresh(args), None),
        };
        Call { attempt, fallback, key: remembers.then_some(key) }
    }

    /// The start of a conversation's key: everything about the call but its messages.
    fn invocation_key(&self, settings: &[String]) -> Key {
        let mut key = Key::new(self.sessions.keys.build_hasher());
        key.field(self.program.as_os_str().as_encoded_bytes());
        key.field(self.working_dir.as_deref().map_or(&[][..], |dir| dir.as_os_str().as_encoded_bytes()));
        key.field(&[u8::from(self.env_clear)]);
        for (name, value) in &self.env {
            key.field(name.as_encoded_bytes());
            key.field(value.as_encoded_bytes());
        }
        for arg in settings {
            key.field(arg.as_bytes());
        }
        key
    }
}

/// The prompt of a call: the one message, or for a repair the whole conversation in one text.
pub(crate) fn transcript(messages: &[Message]) -> String {
    if let [only] = messages {
        return only.content.clone();
    }
    let mut out = String::new();
    for (i, message) in messages.iter().enumerate() {
        match (i, message.role) {
            (0, _) => {}
            (_, Role::Assistant) => out.push_str("\n\n---\n\nYour previous reply was:\n\n"),
            (_, Role::User) => out.push_str("\n\n---\n\n"),
        }
        out.push_str(&message.content);
    }
    out
}

/// One run of the child: its arguments, its stdin, and the session it resumes.
pub(super) struct Attempt {
    pub(super) args: Vec<String>,
    pub(super) prompt: String,
    pub(super) resumed: Option<Remembered>,
}

impl Attempt {
    /// This call's share of `total`, the session's cost so far as the CLI reports it: a
    /// resumed session counts the calls before too.
    pub(super) fn cost_of(&self, total: f64) -> f64 {
        match self.resumed.as_ref().and_then(|session| session.cost_usd) {
            Some(before) => (total - before).max(0.0),
            None => total,
        }
    }
}

/// A call: the attempt, a new session to fall back on when the resumed one is gone, and the
/// key of the conversation so far (to which the reply is added), when sessions are kept.
pub(super) struct Call {
    pub(super) attempt: Attempt,
    pub(super) fallback: Option<Attempt>,
    pub(super) key: Option<Key>,
}

#[cfg(test)]
mod tests {
    use agentbind::ClaudeCodeSettings;

    use super::super::testing::request;
    use super::*;

    #[test]
    fn a_repair_sends_the_whole_conversation_as_one_prompt() {
        let messages =
            [Message::user("Do X."), Message::assistant("## Wrong"), Message::user("Add ## Summary.")];
        assert_eq!(
            transcript(&messages),
            "Do X.\n\n---\n\nYour previous reply was:\n\n## Wrong\n\n---\n\nAdd ## Summary."
        );
        assert_eq!(transcript(&messages[..1]), "Do X.");
    }

    #[test]
    fn a_continued_conversation_resumes_its_session_and_sends_its_last_message() {
        let client = ClaudeCode::new();
        let first = [Message::user("Do X.")];
        let call = client.call(&request(&first, ClaudeCodeSettings::NONE), false);
        assert!(call.attempt.resumed.is_none() && call.fallback.is_none());
        let mut key = call.key.unwrap();
        key.message(Role::Assistant, "## Wrong");
        client.sessions.remember(key.finish(), "s-1".to_owned(), Some(0.5));

        let repair = [Message::user("Do X."), Message::assistant("## Wrong"), Message::user("Fix it.")];
        let call = client.call(&request(&repair, ClaudeCodeSettings::NONE), true);
        assert_eq!(call.attempt.prompt, "Fix it.");
        assert!(call.attempt.args.ends_with(&["--resume".into(), "s-1".into(), "--fork-session".into()]));
        assert_eq!(call.attempt.cost_of(0.75), 0.25);
        let fallback = call.fallback.unwrap();
        assert_eq!(fallback.prompt, transcript(&repair));
        assert!(!fallback.args.contains(&"--resume".to_owned()));

        // Another reply, system prompt or client is another conversation.
        let other = [Message::user("Do X."), Message::assistant("## Other"), Message::user("Fix it.")];
        assert!(client.call(&request(&other, ClaudeCodeSettings::NONE), false).attempt.resumed.is_none());
        let mut changed = request(&repair, ClaudeCodeSettings::NONE);
        changed.system = "You write.";
        assert!(client.call(&changed, false).attempt.resumed.is_none());
        let elsewhere = client.clone().current_dir("/elsewhere");
        assert!(elsewhere.call(&request(&repair, ClaudeCodeSettings::NONE), false).attempt.resumed.is_none());
        let unkept = client.clone().arg("--no-session-persistence");
        let call = unkept.call(&request(&repair, ClaudeCodeSettings::NONE), false);
        assert!(call.attempt.resumed.is_none() && call.key.is_none());
    }
}
