//! Record and replay model calls (feature `record`): [`Recorder`] wraps any [`ModelClient`],
//! writes every call of a run into a folder, one readable JSON file per call, and answers
//! the same calls from those files later, offline, in `cargo test`.
//!
//! A call is keyed by a hash of what decides its reply: the backend, the model id, the system
//! prompt, the messages and the constraint (grammar or reply schema). The file is named
//! `{agent}-{hash}-{n}.json`, `n` counting identical calls within one recorder (a retry of the
//! same request is recorded as itself; one made more often than recorded replays the last). A
//! replayed call whose key has no file is a [`ModelError::ReplayMiss`] that names the agent
//! and says what changed since the closest recording of that agent: its prompt (the agent file's body), the inputs (the first
//! message), a later message, the model, the backend or the constraint.
//!
//! ```no_run
//! # #[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
//! # mod golang {}
//! # async fn example(dispatch: agentbind::Dispatch<golang::Agent>) -> Result<(), Box<dyn std::error::Error>> {
//! use agentbind_run::{OpenAiCompatible, RecordMode, Recorder, RunDispatch, RunOptions};
//!
//! // `AGENTBIND_RECORD=record cargo test` records; plain `cargo test` replays offline.
//! let client = Recorder::from_env(
//!     OpenAiCompatible::new("http://127.0.0.1:8080/v1", "")?,
//!     "tests/recordings",
//!     RecordMode::Replay,
//! );
//! let run = dispatch.run(&client, RunOptions::default()).await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use agentbind::Model;
use serde_json::{json, Value};

use crate::client::{BoxFuture, Chunk, ChunkStream, Completion, ModelClient, ModelRequest, Role, Usage};
use crate::error::ModelError;

/// The environment variable that chooses the mode of [`Recorder::from_env`]: `record`,
/// `replay` or `record-missing`.
pub const RECORD_ENV: &str = "AGENTBIND_RECORD";

/// The largest recording read back: 64 MiB.
const MAX_RECORDING_BYTES: u64 = 64 * 1024 * 1024;

/// What a [`Recorder`] does with each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordMode {
    /// Calls go to the wrapped client, and each is written to the folder (replacing an older
    /// recording of the same call).
    Record,
    /// Calls are answered from the folder only; the wrapped client is never called.
    Replay,
    /// Calls with a recording are replayed; the others go to the wrapped client and are
    /// recorded.
    RecordMissing,
}

impl FromStr for RecordMode {
    type Err = String;

    /// `record`, `replay` or `record-missing` (`record_missing` too), in any case.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "record" => Ok(RecordMode::Record),
            "replay" => Ok(RecordMode::Replay),
            "record-missing" => Ok(RecordMode::RecordMissing),
            other => Err(format!("`{other}` is not a record mode (record, replay, record-missing)")),
        }
    }
}

impl fmt::Display for RecordMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordMode::Record => "record",
            RecordMode::Replay => "replay",
            RecordMode::RecordMissing => "record-missing",
        })
    }
}

/// A [`ModelClient`] that records the calls of the client it wraps into a folder, or replays
/// them from it (see the [module docs](self)).
pub struct Recorder<C> {
    inner: C,
    folder: PathBuf,
    mode: RecordMode,
    /// How many calls of each key this recorder has seen.
    seen: Mutex<HashMap<u64, usize>>,
}

impl<C> fmt::Debug for Recorder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("folder", &self.folder)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl<C: ModelClient> Recorder<C> {
    /// Wraps `inner`, recording into or replaying from `folder` as `mode` says.
    pub fn new(inner: C, folder: impl Into<PathBuf>, mode: RecordMode) -> Self {
        Self { inner, folder: folder.into(), mode, seen: Mutex::new(HashMap::new()) }
    }

    /// [`new`](Self::new) with the mode of the environment variable [`RECORD_ENV`]
    /// (`AGENTBIND_RECORD`), or `default` when it is not set. A value that is not a mode is
    /// ignored too, with a warning on stderr.
    pub fn from_env(inner: C, folder: impl Into<PathBuf>, default: RecordMode) -> Self {
        let mode = match std::env::var(RECORD_ENV) {
            Ok(value) => value.parse().unwrap_or_else(|error| {
                eprintln!("agentbind: {RECORD_ENV}: {error}; using `{default}`");
                default
            }),
            Err(_) => default,
        };
        Self::new(inner, folder, mode)
    }

    /// The mode.
    pub fn mode(&self) -> RecordMode {
        self.mode
    }

    /// The folder of the recordings.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The wrapped client.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The path of the recording of `call`'s `n`-th occurrence.
    fn path(&self, call: &Call, n: usize) -> PathBuf {
        self.folder.join(format!("{}-{:016x}-{n}.json", file_stem(&call.agent), call.key()))
    }

    /// The path of the next occurrence of `call`; `advance` counts it. Only calls that were
    /// replayed or recorded count, so that a call that failed and was retried is recorded
    /// under the index its replay looks for.
    fn next_path(&self, call: &Call, advance: bool) -> PathBuf {
        let n = {
            let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let count = seen.entry(call.key()).or_insert(0);
            let n = *count;
            if advance {
                *count += 1;
            }
            n
        };
        self.path(call, n)
    }

    /// The recorded reply of `call` at `path`, as chunks when it was streamed. A call made more
    /// times than it was recorded gets its last recording.
    fn replay(&self, call: &Call, path: &Path) -> Result<Recorded, ModelError> {
        let mut recording = read_recording(path)?;
        if recording.is_none() {
            let n = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .and_then(|stem| stem.rsplit('-').next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0);
            for earlier in (0..n).rev().take(1_000) {
                recording = read_recording(&self.path(call, earlier))?;
                if recording.is_some() {
                    break;
                }
            }
        }
        match recording {
            Some(recording) if call.same_as(&recording) => Ok(Recorded::from_json(&recording["reply"])),
            Some(recording) => Err(self.miss(call, Some(&recording))),
            None => Err(self.miss(call, None)),
        }
    }

    /// The miss of `call`, saying what changed since the closest recording of its agent.
    fn miss(&self, call: &Call, same_key: Option<&Value>) -> ModelError {
        let changed = match same_key {
            Some(recording) => call.changes(recording),
            None => self.closest(call),
        };
        ModelError::ReplayMiss {
            agent: call.agent.clone(),
            folder: self.folder.display().to_string(),
            changed,
        }
    }

    fn closest(&self, call: &Call) -> String {
        let prefix = format!("{}-", file_stem(&call.agent));
        let Ok(entries) = std::fs::read_dir(&self.folder) else {
            return format!("the folder {} cannot be read", self.folder.display());
        };
        let mut best: Option<(usize, String)> = None;
        for entry in entries.flatten().take(10_000) {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.starts_with(&prefix) || !name.ends_with(".json") {
                continue;
            }
            let Ok(Some(recording)) = read_recording(&entry.path()) else { continue };
            if recording["agent"] != call.agent.as_str() {
                continue;
            }
            let changes = call.changed_fields(&recording);
            if best.as_ref().is_none_or(|(count, _)| changes.len() < *count) {
                best = Some((changes.len(), call.describe(&recording, &changes)));
            }
        }
        match best {
            Some((_, changed)) => changed,
            None => "nothing was recorded for this agent".to_owned(),
        }
    }

    /// The recorded reply of `call`, when the mode replays it (counting it); `None`: send it.
    fn replayed(&self, call: &Call) -> Option<Result<Recorded, ModelError>> {
        let replays = match self.mode {
            RecordMode::Record => false,
            RecordMode::Replay => true,
            RecordMode::RecordMissing => self.next_path(call, false).exists(),
        };
        replays.then(|| self.replay(call, &self.next_path(call, true)))
    }

    /// Writes the recording of `call` with `reply`, as its next occurrence.
    fn write(&self, call: &Call, reply: &Recorded) -> Result<(), ModelError> {
        let path = &self.next_path(call, true);
        let failed = |message: String| ModelError::Recording { path: path.display().to_string(), message };
        std::fs::create_dir_all(&self.folder).map_err(|e| failed(e.to_string()))?;
        let mut recording = call.to_json();
        recording["reply"] = reply.to_json();
        let text = serde_json::to_string_pretty(&recording).map_err(|e| failed(e.to_string()))?;
        // Written whole, then renamed, so that a replay never reads half a file.
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, text + "\n").map_err(|e| failed(e.to_string()))?;
        std::fs::rename(&partial, path).map_err(|e| failed(e.to_string()))
    }
}

impl<C: ModelClient> ModelClient for Recorder<C> {
    fn backend(&self) -> &str {
        self.inner.backend()
    }

    fn model_id(&self, model: Model) -> Option<String> {
        self.inner.model_id(model)
    }

    fn supports_grammar(&self) -> bool {
        self.inner.supports_grammar()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }

    fn server_url(&self) -> Option<&str> {
        self.inner.server_url()
    }

    fn complete<'a>(&'a self, request: &ModelRequest<'_>) -> BoxFuture<'a, Result<Completion, ModelError>> {
        let call = Call::of(self, request);
        let source = match self.replayed(&call) {
            Some(recorded) => Source::Replayed(recorded),
            None => Source::Live(self.inner.complete(request)),
        };
        Box::pin(async move {
            match source {
                Source::Replayed(recorded) => recorded.map(Recorded::into_completion),
                Source::Live(live) => {
                    let completion = live.await?;
                    self.write(&call, &Recorded::Whole(completion.clone()))?;
                    Ok(completion)
                }
            }
        })
    }

    fn stream<'a>(
        &'a self,
        request: &ModelRequest<'_>,
    ) -> BoxFuture<'a, Result<ChunkStream<'a>, ModelError>> {
        let call = Call::of(self, request);
        let source = match self.replayed(&call) {
            Some(recorded) => Source::Replayed(recorded),
            None => Source::Live(self.inner.stream(request)),
        };
        Box::pin(async move {
            match source {
                Source::Replayed(recorded) => {
                    let chunks: Vec<Result<Chunk, ModelError>> =
                        recorded?.into_chunks().into_iter().map(Ok).collect();
                    Ok(Box::pin(futures_util::stream::iter(chunks)) as ChunkStream<'a>)
                }
                Source::Live(live) => Ok(recording_stream(self, call, live.await?)),
            }
        })
    }
}

/// Where a call's reply comes from.
enum Source<F> {
    /// A recording (or the miss).
    Replayed(Result<Recorded, ModelError>),
    /// The wrapped client.
    Live(F),
}

/// `stream`, passed on as it arrives and recorded when it ends whole (with a
/// [`Chunk::Finished`] and no error); a stream cut short is not recorded.
fn recording_stream<'a, C: ModelClient>(
    recorder: &'a Recorder<C>,
    call: Call,
    stream: ChunkStream<'a>,
) -> ChunkStream<'a> {
    use futures_util::StreamExt;
    let state = (Some(stream), Vec::new(), Some(call));
    Box::pin(futures_util::stream::unfold(state, move |(stream, mut chunks, mut pending)| async move {
        let mut stream = stream?;
        match stream.next().await {
            Some(Ok(chunk)) => {
                chunks.push(chunk.clone());
                Some((Ok(chunk), (Some(stream), chunks, pending)))
            }
            Some(Err(error)) => Some((Err(error), (Some(stream), chunks, None))),
            None => {
                let finished = chunks.iter().any(|c| matches!(c, Chunk::Finished { .. }));
                let call = pending.take().filter(|_| finished)?;
                let written = recorder.write(&call, &Recorded::Chunks(chunks));
                written.err().map(|error| (Err(error), (None, Vec::new(), None)))
            }
        }
    }))
}

/// What decides a call's reply.
struct Call {
    agent: String,
    backend: String,
    model: Option<String>,
    system: String,
    messages: Vec<(Role, String)>,
    grammar: Option<String>,
    /// The reply schema, as JSON text.
    json_schema: Option<String>,
}

impl Call {
    fn of<C: ModelClient>(recorder: &Recorder<C>, request: &ModelRequest<'_>) -> Self {
        Call {
            agent: request.agent.to_owned(),
            backend: recorder.inner.backend().to_owned(),
            model: recorder.inner.model_id(request.model),
            system: request.system.to_owned(),
            messages: request.messages.iter().map(|m| (m.role, m.content.clone())).collect(),
            grammar: request.grammar.map(str::to_owned),
            json_schema: request.json_schema.map(|schema| schema.json().to_owned()),
        }
    }

    /// FNV-1a (64 bits) of the key fields, each length-prefixed: stable across Rust versions
    /// and platforms, as file names must be.
    fn key(&self) -> u64 {
        let mut hash = Fnv::default();
        hash.field(self.backend.as_bytes());
        hash.field(self.model.as_deref().unwrap_or_default().as_bytes());
        hash.field(self.system.as_bytes());
        for (role, content) in &self.messages {
            hash.field(role.as_str().as_bytes());
            hash.field(content.as_bytes());
        }
        hash.field(self.grammar.as_deref().unwrap_or_default().as_bytes());
        if let Some(schema) = &self.json_schema {
            // After the grammar, and only when there is one: keys of calls without a schema
            // stay what they were.
            hash.field(schema.as_bytes());
        }
        hash.0
    }

    fn to_json(&self) -> Value {
        let messages: Vec<Value> = self
            .messages
            .iter()
            .map(|(role, content)| json!({"role": role.as_str(), "content": content}))
            .collect();
        json!({
            "agent": self.agent,
            "backend": self.backend,
            "model": self.model,
            "system": self.system,
            "messages": messages,
            "grammar": self.grammar,
            "json_schema": self.json_schema,
        })
    }

    fn same_as(&self, recording: &Value) -> bool {
        self.changed_fields(recording).is_empty()
    }

    /// The fields of `recording` that differ from this call's.
    fn changed_fields(&self, recording: &Value) -> Vec<Field> {
        let mine = self.to_json();
        let mut changed: Vec<Field> = Vec::new();
        for (key, field) in [
            ("backend", Field::Backend),
            ("model", Field::Model),
            ("system", Field::System),
            ("grammar", Field::Constraint),
        ] {
            if mine[key] != recording[key] && !changed.contains(&field) {
                changed.push(field);
            }
        }
        let recorded = recording["messages"].as_array().map(Vec::as_slice).unwrap_or_default();
        let now = mine["messages"].as_array().map(Vec::as_slice).unwrap_or_default();
        if let Some(at) = (0..recorded.len().max(now.len())).find(|&i| recorded.get(i) != now.get(i)) {
            changed.push(Field::Message(at));
        }
        changed
    }

    fn changes(&self, recording: &Value) -> String {
        let fields = self.changed_fields(recording);
        self.describe(recording, &fields)
    }

    /// What changed, in words.
    fn describe(&self, recording: &Value, fields: &[Field]) -> String {
        let words: Vec<String> = fields
            .iter()
            .map(|field| match field {
                Field::Backend => {
                    format!(
                        "the backend (recorded `{}`, now `{}`)",
                        text(&recording["backend"]),
                        self.backend
                    )
                }
                Field::Model => format!(
                    "the model (recorded `{}`, now `{}`)",
                    text(&recording["model"]),
                    self.model.as_deref().unwrap_or("the backend's default")
                ),
                Field::System => "the agent's prompt (the body of its file)".to_owned(),
                Field::Constraint => "the constraint (reply grammar or schema)".to_owned(),
                Field::Message(0) => "the first message (the dispatch's inputs)".to_owned(),
                Field::Message(n) => format!("message {} of the conversation (a repair)", n + 1),
            })
            .collect();
        match words.as_slice() {
            [] => "the recording is for this call but could not be read".to_owned(),
            [one] => format!("{one} changed"),
            [rest @ .., last] => format!("{} and {last} changed", rest.join(", ")),
        }
    }
}

/// A field of a call's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Backend,
    Model,
    System,
    Constraint,
    Message(usize),
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "the backend's default".to_owned(),
        other => other.to_string(),
    }
}

/// A recorded reply: whole, or the chunks of a stream.
enum Recorded {
    Whole(Completion),
    Chunks(Vec<Chunk>),
}

impl Recorded {
    fn to_json(&self) -> Value {
        match self {
            Recorded::Whole(completion) => json!({"completion": completion_json(completion)}),
            Recorded::Chunks(chunks) => {
                let chunks: Vec<Value> = chunks.iter().map(chunk_json).collect();
                json!({"chunks": chunks})
            }
        }
    }

    fn from_json(reply: &Value) -> Self {
        match reply.get("chunks").and_then(Value::as_array) {
            Some(chunks) => Recorded::Chunks(chunks.iter().filter_map(chunk_of).collect()),
            None => Recorded::Whole(completion_of(&reply["completion"])),
        }
    }

    fn into_completion(self) -> Completion {
        match self {
            Recorded::Whole(completion) => completion,
            Recorded::Chunks(chunks) => {
                let mut completion = Completion::default();
                for chunk in chunks {
                    match chunk {
                        Chunk::Text(text) => completion.text.push_str(&text),
                        Chunk::Usage(usage) => completion.usage += usage,
                        Chunk::Model(model) => completion.model = Some(model),
                        Chunk::CostUsd(cost) => *completion.cost_usd.get_or_insert(0.0) += cost,
                        Chunk::Finished { reason } => completion.finish_reason = reason,
                    }
                }
                completion
            }
        }
    }

    fn into_chunks(self) -> Vec<Chunk> {
        match self {
            Recorded::Chunks(chunks) => chunks,
            Recorded::Whole(completion) => {
                let mut chunks = vec![Chunk::Text(completion.text), Chunk::Usage(completion.usage)];
                chunks.extend(completion.model.map(Chunk::Model));
                chunks.extend(completion.cost_usd.map(Chunk::CostUsd));
                chunks.push(Chunk::Finished { reason: completion.finish_reason });
                chunks
            }
        }
    }
}

fn usage_json(usage: &Usage) -> Value {
    json!({"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens, "cached_input_tokens": usage.cached_input_tokens})
}

fn usage_of(value: &Value) -> Usage {
    let count = |key: &str| value[key].as_u64().unwrap_or(0);
    Usage::new(count("input_tokens"), count("output_tokens")).with_cached(count("cached_input_tokens"))
}

fn completion_json(completion: &Completion) -> Value {
    json!({
        "text": completion.text,
        "usage": usage_json(&completion.usage),
        "model": completion.model,
        "finish_reason": completion.finish_reason,
        "cost_usd": completion.cost_usd,
    })
}

fn completion_of(value: &Value) -> Completion {
    Completion {
        text: value["text"].as_str().unwrap_or_default().to_owned(),
        usage: usage_of(&value["usage"]),
        model: value["model"].as_str().map(str::to_owned),
        finish_reason: value["finish_reason"].as_str().map(str::to_owned),
        cost_usd: value["cost_usd"].as_f64(),
    }
}

fn chunk_json(chunk: &Chunk) -> Value {
    match chunk {
        Chunk::Text(text) => json!({"text": text}),
        Chunk::Usage(usage) => json!({"usage": usage_json(usage)}),
        Chunk::Model(model) => json!({"model": model}),
        Chunk::CostUsd(cost) => json!({"cost_usd": cost}),
        Chunk::Finished { reason } => json!({"finished": reason}),
    }
}

fn chunk_of(value: &Value) -> Option<Chunk> {
    let object = value.as_object()?;
    let (key, value) = object.iter().next()?;
    Some(match key.as_str() {
        "text" => Chunk::Text(value.as_str()?.to_owned()),
        "usage" => Chunk::Usage(usage_of(value)),
        "model" => Chunk::Model(value.as_str()?.to_owned()),
        "cost_usd" => Chunk::CostUsd(value.as_f64()?),
        "finished" => Chunk::Finished { reason: value.as_str().map(str::to_owned) },
        _ => return None,
    })
}

/// The recording at `path`, `None` when there is none; a recording that cannot be read or is
/// not JSON is an error naming it.
fn read_recording(path: &Path) -> Result<Option<Value>, ModelError> {
    let failed = |message: String| ModelError::Recording { path: path.display().to_string(), message };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(failed(error.to_string())),
    };
    if metadata.len() > MAX_RECORDING_BYTES {
        return Err(failed(format!("larger than {MAX_RECORDING_BYTES} bytes")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
    serde_json::from_str(&text).map(Some).map_err(|e| failed(format!("not JSON: {e}")))
}

/// `agent` as a file-name stem: letters, digits, `-` and `_`; at most 64 characters.
fn file_stem(agent: &str) -> String {
    let stem: String = agent
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(64)
        .collect();
    if stem.is_empty() {
        "agent".to_owned()
    } else {
        stem
    }
}

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// `bytes`, after their length, so that fields cannot run into each other.
    fn field(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_fields_do_not_run_into_each_other() {
        let call = |system: &str, message: &str| Call {
            agent: "a".into(),
            backend: "b".into(),
            model: None,
            system: system.into(),
            messages: vec![(Role::User, message.into())],
            grammar: None,
            json_schema: None,
        };
        // The same on every platform and Rust version (checked against an FNV-1a written in
        // Python): file names depend on it.
        assert_eq!(call("sys", "hi").key(), call("sys", "hi").key());
        assert_eq!(format!("{:016x}", call("sys", "hi").key()), "bfc449bf90379a78");
        assert_ne!(call("sy", "shi").key(), call("sys", "hi").key());
    }

    #[test]
    fn modes_are_read_from_text() {
        assert_eq!("record".parse(), Ok(RecordMode::Record));
        assert_eq!("REPLAY".parse(), Ok(RecordMode::Replay));
        assert_eq!("record_missing".parse(), Ok(RecordMode::RecordMissing));
        assert!("rec".parse::<RecordMode>().is_err());
        assert_eq!(file_stem("ring:code reviewer/x"), "ring_code_reviewer_x");
    }

    #[test]
    fn chunks_and_completions_survive_their_json() {
        let chunks = vec![
            Chunk::Text("## Summary\n".into()),
            Chunk::Usage(Usage::new(3, 4)),
            Chunk::Model("m".into()),
            Chunk::CostUsd(0.5),
            Chunk::Finished { reason: Some("stop".into()) },
        ];
        let json = Recorded::Chunks(chunks.clone()).to_json();
        let Recorded::Chunks(back) = Recorded::from_json(&json) else { panic!() };
        assert_eq!(back, chunks);
        let completion = Recorded::Chunks(chunks).into_completion();
        assert_eq!(completion.text, "## Summary\n");
        assert_eq!(completion.cost_usd, Some(0.5));
        let json = Recorded::Whole(completion.clone()).to_json();
        assert_eq!(Recorded::from_json(&json).into_completion(), completion);
    }
}
