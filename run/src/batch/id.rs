//! Names: the [`BatchId`] an orchestrator stores to resume a batch, the `custom_id` of each
//! request, and the checks on ids a server gives back.

use std::fmt;
use std::str::FromStr;

use crate::error::{truncate, Printable};

/// What a [`BatchId`] starts with, with the version of its form.
const PREFIX: &str = "agentbind-batch/1";
/// The most characters of a provider's id (of a batch or a file) that are accepted.
const PROVIDER_ID_LIMIT: usize = 256;
/// The most characters of a [`BatchId`]'s text that are read.
const TEXT_LIMIT: usize = 1 << 20;
/// The most characters of the agent's name in a `custom_id`.
const AGENT_CHARS: usize = 24;
/// The most characters of a `custom_id`, in both APIs.
const CUSTOM_ID_LIMIT: usize = 64;

/// The batches a [`Batch`](super::Batch) submitted, as text an orchestrator can store (a
/// database column, a file) to [`resume`](super::Batch::resume) the batch after a restart:
/// the backend, the number of dispatches, then for the first round and each repair round the
/// provider's id of each of its batches with the dispatches it holds (a range of the round's
/// dispatches: all of them in the first round, those that needed a repair in the others).
///
/// `agentbind-batch/1/openai/10000/batch_abc:0-5000+batch_def:5000-10000/batch_xyz:0-12` is
/// 10,000 dispatches sent to OpenAI in two batches, then the 12 that broke the contract in one
/// repair batch. `to_string()` writes it and `parse()` reads it back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchId {
    backend: String,
    dispatches: usize,
    rounds: Vec<Vec<Part>>,
}

/// One provider batch of a round: its id and the range of the round's dispatches it holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Part {
    pub(crate) id: String,
    pub(crate) members: std::ops::Range<usize>,
}

impl BatchId {
    pub(crate) fn new(backend: &str, dispatches: usize) -> Self {
        Self { backend: backend.to_owned(), dispatches, rounds: Vec::new() }
    }

    /// `openai` or `anthropic`: the API the batches were sent to.
    pub fn backend(&self) -> &str {
        &self.backend
    }

    /// How many dispatches the batch runs: the length of the slice to resume it with.
    pub fn dispatches(&self) -> usize {
        self.dispatches
    }

    /// How many rounds were submitted: the first, then one per repair round.
    pub fn rounds(&self) -> usize {
        self.rounds.len()
    }

    /// The provider's ids of the batches of round `round` (0 for the first).
    pub fn provider_ids(&self, round: usize) -> impl Iterator<Item = &str> {
        self.rounds.get(round).into_iter().flatten().map(|part| part.id.as_str())
    }

    pub(crate) fn round(&self, round: usize) -> Option<&[Part]> {
        self.rounds.get(round).map(Vec::as_slice)
    }

    pub(crate) fn push_round(&mut self, parts: Vec<Part>) {
        self.rounds.push(parts);
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}/{}/{}", self.backend, self.dispatches)?;
        for round in &self.rounds {
            for (i, part) in round.iter().enumerate() {
                let separator = if i == 0 { '/' } else { '+' };
                write!(f, "{separator}{}:{}-{}", part.id, part.members.start, part.members.end)?;
            }
        }
        Ok(())
    }
}

/// A [`BatchId`] that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchIdError(String);

impl fmt::Display for BatchIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a batch id: {}", Printable(&self.0))
    }
}

impl std::error::Error for BatchIdError {}

impl FromStr for BatchId {
    type Err = BatchIdError;

    fn from_str(text: &str) -> Result<Self, BatchIdError> {
        let error = |why: &str| BatchIdError(format!("{why} (in `{}`)", truncate(text, 200)));
        if text.len() > TEXT_LIMIT {
            return Err(error("longer than 1 MiB"));
        }
        let rest = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or_else(|| error("it does not start with `agentbind-batch/1/`"))?;
        let mut parts = rest.strip_prefix('/').ok_or_else(|| error("no backend"))?.split('/');
        let backend = parts.next().unwrap_or_default();
        if !matches!(backend, "openai" | "anthropic") {
            return Err(error("the backend is neither `openai` nor `anthropic`"));
        }
        let dispatches = parts
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| error("no number of dispatches"))?;
        let mut rounds = Vec::new();
        for round in parts {
            let mut parsed = Vec::new();
            for part in round.split('+') {
                let read = part.rsplit_once(':').and_then(|(id, range)| {
                    let (start, end) = range.split_once('-')?;
                    let members = start.parse().ok()?..end.parse().ok()?;
                    (is_provider_id(id) && members.start <= members.end && members.end <= dispatches)
                        .then(|| Part { id: id.to_owned(), members })
                });
                match read {
                    Some(part) => parsed.push(part),
                    None => {
                        return Err(error(&format!("`{}` is not a batch and its range", truncate(part, 80))))
                    }
                }
            }
            rounds.push(parsed);
        }
        Ok(Self { backend: backend.to_owned(), dispatches, rounds })
    }
}

/// Whether `id`, given by a server, may go into a URL path: 1 to 256 characters of
/// `[A-Za-z0-9_.-]`, not `.` or `..`.
pub(crate) fn is_provider_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= PROVIDER_ID_LIMIT
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && id.bytes().any(|b| b != b'.')
}

/// The `custom_id` of dispatch `index` in round `round` (0 for the first, then one per
/// repair): the agent's name (at most 24 characters, others than `[A-Za-z0-9_-]` written
/// `_`), the index, the round, and a hash of the dispatch's prompt, so that results read back
/// after a restart are matched to the same dispatches. At most 64 characters, as both APIs
/// require.
pub(crate) fn custom_id(agent: &str, index: usize, round: usize, prompt: &str) -> String {
    let tail = format!("-{index}-r{round}-{:08x}", fnv1a(prompt.as_bytes()));
    let room = AGENT_CHARS.min(CUSTOM_ID_LIMIT.saturating_sub(tail.len()));
    let mut id: String = agent
        .chars()
        .take(room)
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    id.push_str(&tail);
    id
}

/// The dispatch index, round and prompt hash a `custom_id` names, when it is one of ours.
pub(crate) fn parse_custom_id(id: &str) -> Option<(usize, usize, u32)> {
    let mut parts = id.rsplitn(4, '-');
    let hash = parts.next().filter(|h| h.len() == 8)?;
    let hash = u32::from_str_radix(hash, 16).ok()?;
    let round = parts.next()?.strip_prefix('r')?.parse().ok()?;
    let index = parts.next()?.parse().ok()?;
    parts.next()?;
    Some((index, round, hash))
}

/// The hash of a dispatch's prompt in its `custom_id` (32-bit FNV-1a: stable across Rust
/// releases, unlike `DefaultHasher`).
pub(crate) fn prompt_hash(prompt: &str) -> u32 {
    fnv1a(prompt.as_bytes())
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, &b| (hash ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_as_written() {
        let part = |id: &str, members| Part { id: id.to_owned(), members };
        let mut id = BatchId::new("openai", 10_000);
        id.push_round(vec![part("batch_abc", 0..5000), part("batch_def", 5000..10_000)]);
        id.push_round(vec![part("batch_x.y-z", 0..12)]);
        let text = id.to_string();
        assert_eq!(
            text,
            "agentbind-batch/1/openai/10000/batch_abc:0-5000+batch_def:5000-10000/batch_x.y-z:0-12"
        );
        assert_eq!(text.parse::<BatchId>().unwrap(), id);
        assert_eq!(id.provider_ids(0).collect::<Vec<_>>(), ["batch_abc", "batch_def"]);
        assert_eq!(id.provider_ids(2).count(), 0);
        assert_eq!("agentbind-batch/1/anthropic/3".parse::<BatchId>().unwrap().rounds(), 0);
        for bad in [
            "",
            "agentbind-batch/2/openai/1/b",
            "agentbind-batch/1/other/1/b",
            "agentbind-batch/1/openai/x/b",
            "agentbind-batch/1/openai/1/b",
            "agentbind-batch/1/openai/1/..:0-1",
            "agentbind-batch/1/openai/1/a:0-1+",
            "agentbind-batch/1/openai/1/a?b:0-1",
            "agentbind-batch/1/openai/1/a:0-2",
            "agentbind-batch/1/openai/1/a:1-0",
        ] {
            assert!(bad.parse::<BatchId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn custom_ids_fit_the_apis_and_name_the_dispatch() {
        let id = custom_id("backend-engineer-golang", 9_999, 2, "prompt");
        assert!(id.starts_with("backend-engineer-golang-9999-r2-"), "{id}");
        assert_eq!(parse_custom_id(&id), Some((9_999, 2, prompt_hash("prompt"))));
        let long = custom_id("a very long agent name: with ünicode and more", usize::MAX, usize::MAX, "p");
        assert!(long.len() <= 64, "{long}");
        assert!(long.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{long}");
        assert_eq!(parse_custom_id(&long).map(|(i, r, _)| (i, r)), Some((usize::MAX, usize::MAX)));
        for bad in ["", "x", "a-1-r0-zz", "a-1-0-0000000g", "1-r0-00000000"] {
            assert_eq!(parse_custom_id(bad), None, "{bad}");
        }
    }
}
