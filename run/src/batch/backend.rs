//! What a batch API is to the batch runner: how requests are written into an upload, how a
//! batch is created and polled, where its results are, and how a result line reads. Each
//! backend implements it next to its client (`batch/openai.rs`, `batch/anthropic.rs`, child modules of the clients' own).

use std::time::Duration;

use crate::client::{BoxFuture, Completion, ModelClient, ModelRequest};
use crate::error::ModelError;

use super::wire::Upload;

/// How many requests and bytes one batch of the API takes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests.
    pub requests: usize,
    /// Bytes of the upload.
    pub bytes: u64,
}

/// The bytes around and between the requests of an upload.
#[derive(Debug, Clone)]
pub struct Framing {
    /// Before the first request.
    pub prefix: Vec<u8>,
    /// Between two requests.
    pub separator: &'static [u8],
    /// After the last request.
    pub suffix: Vec<u8>,
}

impl Framing {
    /// Bytes of an upload of `requests` requests of `bytes` bytes together.
    pub fn length(&self, requests: usize, bytes: u64) -> u64 {
        let separators = requests.saturating_sub(1) as u64 * self.separator.len() as u64;
        self.prefix.len() as u64 + bytes + separators + self.suffix.len() as u64
    }
}

/// Where a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Validating, in progress, finalizing, canceling: poll again.
    Running,
    /// Every request ran (each may still have failed): the results are ready.
    Ended,
    /// The batch expired: requests that did not run have no result, or an `expired` one.
    Expired,
    /// The batch was canceled.
    Canceled,
    /// The batch failed as a whole (its upload did not validate).
    Failed,
}

impl State {
    /// Whether the batch is over.
    pub fn is_over(self) -> bool {
        self != State::Running
    }
}

/// A batch as a status poll gives it.
#[derive(Debug, Clone)]
pub struct Remote {
    /// Where it is.
    pub state: State,
    /// The API's own word for it (`in_progress`, `finalizing`...), at most 64 bytes.
    pub status: String,
    /// Requests of the batch, and how many succeeded and failed so far.
    pub total: u64,
    /// Requests that succeeded.
    pub succeeded: u64,
    /// Requests that failed (errored, expired or canceled).
    pub failed: u64,
    /// The URLs of the result files to read, once it is over.
    pub results: Vec<String>,
    /// Why it failed, when it failed as a whole.
    pub message: Option<String>,
}

/// A batch API. Sealed: implemented by `OpenAiCompatible` (OpenAI's Batch API) and
/// `Anthropic` (Message Batches).
pub trait BatchBackend: ModelClient {
    /// The backend's name in a `BatchId`: `openai` or `anthropic`.
    const KIND: &'static str;
    /// What one batch takes, as the API documents it.
    fn limits(&self) -> Limits;
    /// The longest wait for progress of one HTTP call (the client's idle timeout).
    fn idle(&self) -> Duration;
    /// The bytes around the requests of an upload.
    fn framing(&self) -> Framing;
    /// Writes the request of `request`, named `custom_id`, into `out`.
    fn write_request(
        &self,
        custom_id: &str,
        request: &ModelRequest<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), ModelError>;
    /// Uploads `upload` of `length` bytes and creates the batch; gives its id.
    fn create(&self, upload: Upload, length: u64) -> BoxFuture<'_, Result<String, ModelError>>;
    /// Where batch `id` is.
    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Remote, ModelError>>;
    /// A GET of `url` (a result file) with the client's key.
    fn get(&self, url: &str) -> Result<reqwest::RequestBuilder, ModelError>;
    /// The `custom_id` of a result line and its reply or error.
    fn result(
        &self,
        batch: &str,
        line: &[u8],
    ) -> Result<(String, Result<Completion, ModelError>), ModelError>;
}

/// Text the API said, for a [`ModelError`]: at most 8 KiB.
pub(crate) fn said(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    crate::error::truncate(&text, crate::ERROR_BODY_LIMIT).to_owned()
}

/// `id` when it may go into a URL path; else [`ModelError::InvalidResponse`].
pub(crate) fn checked_id(
    id: Option<&str>,
    what: &str,
    body: &serde_json::Value,
) -> Result<String, ModelError> {
    match id {
        Some(id) if super::id::is_provider_id(id) => Ok(id.to_owned()),
        _ => Err(ModelError::InvalidResponse {
            message: format!("no {what} id of 1 to 256 characters of [A-Za-z0-9_.-]"),
            body: crate::error::truncate(&body.to_string(), crate::ERROR_BODY_LIMIT).to_owned(),
        }),
    }
}

/// The API's word for a state, bounded.
pub(crate) fn status_word(value: &serde_json::Value) -> String {
    crate::error::truncate(value.as_str().unwrap_or(""), 64).to_owned()
}
