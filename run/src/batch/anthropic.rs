//! Anthropic's Message Batches for [`Anthropic`]: the requests posted as one JSON body
//! (`POST /v1/messages/batches`, `{"requests": [{custom_id, params}]}`), polled
//! (`GET /v1/messages/batches/{id}`), and the results read as JSONL.
//!
//! A child module of `anthropic` (declared there with `#[path]`), so that it writes the
//! request parameters and reads messages exactly as the client's own calls do.

use serde_json::Value;

use super::{Anthropic, API_VERSION};
use crate::batch::backend::{checked_id, said, status_word, BatchBackend, Framing, Limits, Remote, State};
use crate::batch::wire::{self, Upload};
use crate::client::{BoxFuture, Completion, ModelRequest};
use crate::error::ModelError;
use crate::http::{self, HttpBackend};
use crate::pick::{self, Keep};

/// The fields of a results line that are read.
const LINE: Keep = Keep::Fields(&[
    ("custom_id", Keep::All),
    (
        "result",
        Keep::Fields(&[
            ("type", Keep::All),
            ("message", <Anthropic as HttpBackend>::KEEP),
            ("error", Keep::All),
        ]),
    ),
]);

impl Anthropic {
    /// The API's base URL: the client's URL without `/v1/messages`.
    fn base(&self) -> &str {
        self.url.strip_suffix("/v1/messages").unwrap_or(&self.url)
    }

    fn authorized(&self, builder: reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, ModelError> {
        Ok(builder
            .header("x-api-key", http::sensitive(&self.api_key)?)
            .header("anthropic-version", API_VERSION))
    }

    async fn create_batch(&self, upload: Upload) -> Result<String, ModelError> {
        let url = format!("{}/v1/messages/batches", self.base());
        let request = self
            .authorized(self.http.client.post(&url))?
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(reqwest::Body::wrap(upload));
        let batch = wire::json(request, &url, self.http.idle).await?;
        checked_id(batch["id"].as_str(), "batch", &batch)
    }

    async fn batch_status(&self, id: &str) -> Result<Remote, ModelError> {
        let url = format!("{}/v1/messages/batches/{id}", self.base());
        let body = wire::json(self.authorized(self.http.client.get(&url))?, &url, self.http.idle).await?;
        let state = match body["processing_status"].as_str() {
            Some("in_progress" | "canceling") => State::Running,
            Some("ended") => State::Ended,
            _ => return Err(http::invalid("no known `processing_status` of a batch", &body)),
        };
        // The results are read from this client's own host: a `results_url` elsewhere would
        // be sent the key.
        let own = format!("{url}/results");
        let results = match body["results_url"].as_str() {
            Some(given) if given.starts_with(&format!("{}/", self.base())) && !given.contains("..") => {
                given.to_owned()
            }
            _ => own,
        };
        let counts = &body["request_counts"];
        let count = |key| http::tokens(counts, key);
        let failed = count("errored").saturating_add(count("canceled")).saturating_add(count("expired"));
        let succeeded = count("succeeded");
        Ok(Remote {
            state,
            status: status_word(&body["processing_status"]),
            total: count("processing").saturating_add(succeeded).saturating_add(failed),
            succeeded,
            failed,
            results: if state == State::Ended { vec![results] } else { Vec::new() },
            message: None,
        })
    }
}

impl BatchBackend for Anthropic {
    const KIND: &'static str = "anthropic";

    fn limits(&self) -> Limits {
        // "limited to either 100,000 Message requests or 256 MB in size"
        Limits { requests: 100_000, bytes: 256_000_000 }
    }

    fn idle(&self) -> std::time::Duration {
        self.http.idle
    }

    fn framing(&self) -> Framing {
        Framing { prefix: b"{\"requests\":[\n".to_vec(), separator: b",\n", suffix: b"\n]}".to_vec() }
    }

    fn write_request(
        &self,
        custom_id: &str,
        request: &ModelRequest<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), ModelError> {
        let Some(model) = self.models.resolve(request.model) else {
            return Err(ModelError::Config(format!(
                "no Anthropic model id for `{}`: map it with `map_model`",
                request.model
            )));
        };
        let params = self.params(request, &model);
        out.extend_from_slice(b"{\"custom_id\":");
        serde_json::to_writer(&mut *out, custom_id).map_err(|e| ModelError::Config(e.to_string()))?;
        out.extend_from_slice(b",\"params\":");
        out.extend_from_slice(&params.finish());
        out.push(b'}');
        Ok(())
    }

    fn create(&self, upload: Upload, _length: u64) -> BoxFuture<'_, Result<String, ModelError>> {
        Box::pin(self.create_batch(upload))
    }

    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Remote, ModelError>> {
        Box::pin(self.batch_status(id))
    }

    fn get(&self, url: &str) -> Result<reqwest::RequestBuilder, ModelError> {
        self.authorized(self.http.client.get(url))
    }

    fn result(
        &self,
        batch: &str,
        line: &[u8],
    ) -> Result<(String, Result<Completion, ModelError>), ModelError> {
        let mut value = pick::pick(line, LINE).map_err(|e| ModelError::InvalidResponse {
            message: format!("a line of the batch's results is not JSON: {e}"),
            body: wire::excerpt(line),
        })?;
        let custom_id = value["custom_id"]
            .as_str()
            .ok_or_else(|| http::invalid("a result line has no `custom_id`", &value))?
            .to_owned();
        let batch = batch.to_owned();
        let result = &mut value["result"];
        let outcome = match result["type"].as_str() {
            Some("succeeded") => super::completion(result["message"].take()),
            Some("expired") => Err(ModelError::BatchExpired { batch }),
            Some("canceled") => Err(ModelError::BatchCanceled { batch }),
            Some("errored") => Err(ModelError::BatchRequestFailed {
                batch,
                status: None,
                message: message_of(&result["error"]),
            }),
            _ => Err(http::invalid("a result of no known `type`", result)),
        };
        Ok((custom_id, outcome))
    }
}

/// An Anthropic error's type and message (`{"type": "error", "error": {"type", "message"}}`,
/// or the inner object), or the object.
fn message_of(error: &Value) -> String {
    let inner = if error["error"].is_object() { &error["error"] } else { error };
    match (inner["type"].as_str(), inner["message"].as_str()) {
        (Some(kind), Some(message)) => said(&Value::String(format!("{kind}: {message}"))),
        (None, Some(message)) => said(&Value::String(message.to_owned())),
        _ => said(error),
    }
}
