//! OpenAI's Batch API for [`OpenAiCompatible`]: the requests uploaded as a JSONL file
//! (`POST /files`, multipart, `purpose=batch`), the batch created on it (`POST /batches`,
//! `/v1/chat/completions`, `24h`), polled (`GET /batches/{id}`), and its output and error
//! files read (`GET /files/{id}/content`).
//!
//! A child module of `openai` (declared there with `#[path]`), so that it builds request
//! bodies and reads completions exactly as the client's own calls do.

use serde_json::{json, Value};

use super::OpenAiCompatible;
use crate::batch::backend::{checked_id, said, status_word, BatchBackend, Framing, Limits, Remote, State};
use crate::batch::wire::{self, Upload};
use crate::client::{BoxFuture, Completion, ModelRequest};
use crate::error::ModelError;
use crate::http::{self, HttpBackend};
use crate::pick::{self, Keep};

/// The multipart boundary of uploads: JSONL holds no raw `\r`, so it cannot appear in one.
const BOUNDARY: &str = "agentbind-batch-7d1f3c0a9e";
/// The endpoint every request of a batch goes to.
const ENDPOINT: &str = "/v1/chat/completions";

/// The fields of an output or error file's line that are read.
const LINE: Keep = Keep::Fields(&[
    ("custom_id", Keep::All),
    (
        "response",
        Keep::Fields(&[("status_code", Keep::All), ("body", <OpenAiCompatible as HttpBackend>::KEEP)]),
    ),
    ("error", Keep::All),
]);

impl OpenAiCompatible {
    /// The API's base URL: the client's URL without `/chat/completions`.
    fn base(&self) -> &str {
        self.url.strip_suffix("/chat/completions").unwrap_or(&self.url)
    }

    /// `builder` with the key and the custom headers, as the client's own calls send them.
    fn authorized(
        &self,
        mut builder: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, ModelError> {
        if !self.api_key.is_empty() {
            builder = builder.bearer_auth(&self.api_key);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, http::sensitive(value)?);
        }
        Ok(builder)
    }

    async fn create_batch(&self, upload: Upload) -> Result<String, ModelError> {
        let idle = self.http.idle;
        let files = format!("{}/files", self.base());
        let request = self
            .authorized(self.http.client.post(&files))?
            .header(reqwest::header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(reqwest::Body::wrap(upload));
        let file = wire::json(request, &files, idle).await?;
        let file_id = checked_id(file["id"].as_str(), "file", &file)?;
        let batches = format!("{}/batches", self.base());
        let body = json!({"input_file_id": file_id, "endpoint": ENDPOINT, "completion_window": "24h"});
        let request = self
            .authorized(self.http.client.post(&batches))?
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        let batch = wire::json(request, &batches, idle).await?;
        checked_id(batch["id"].as_str(), "batch", &batch)
    }

    async fn batch_status(&self, id: &str) -> Result<Remote, ModelError> {
        let url = format!("{}/batches/{id}", self.base());
        let body = wire::json(self.authorized(self.http.client.get(&url))?, &url, self.http.idle).await?;
        let state = match body["status"].as_str() {
            Some("validating" | "in_progress" | "finalizing" | "cancelling") => State::Running,
            Some("completed") => State::Ended,
            Some("expired") => State::Expired,
            Some("cancelled") => State::Canceled,
            Some("failed") => State::Failed,
            _ => return Err(http::invalid("no known `status` of a batch", &body)),
        };
        let mut results = Vec::new();
        for key in ["output_file_id", "error_file_id"] {
            if let Some(file) = body[key].as_str() {
                let file = checked_id(Some(file), "file", &body)?;
                results.push(format!("{}/files/{file}/content", self.base()));
            }
        }
        let counts = &body["request_counts"];
        let message = body["errors"]["data"].as_array().map(|errors| {
            let said: Vec<String> = errors.iter().take(3).map(|e| said(&e["message"])).collect();
            said.join("; ")
        });
        Ok(Remote {
            state,
            status: status_word(&body["status"]),
            total: http::tokens(counts, "total"),
            succeeded: http::tokens(counts, "completed"),
            failed: http::tokens(counts, "failed"),
            results,
            message: message.or_else(|| (state == State::Failed).then(|| "the batch failed".to_owned())),
        })
    }
}

impl BatchBackend for OpenAiCompatible {
    const KIND: &'static str = "openai";

    fn limits(&self) -> Limits {
        // "up to 50,000 requests, and can be up to 200 MB in size"
        Limits { requests: 50_000, bytes: 200_000_000 }
    }

    fn idle(&self) -> std::time::Duration {
        self.http.idle
    }

    fn framing(&self) -> Framing {
        let prefix = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"agentbind-batch.jsonl\"\r\n\
             Content-Type: application/jsonl\r\n\r\n"
        );
        Framing {
            prefix: prefix.into_bytes(),
            separator: b"\n",
            suffix: format!("\n\r\n--{BOUNDARY}--\r\n").into_bytes(),
        }
    }

    fn write_request(
        &self,
        custom_id: &str,
        request: &ModelRequest<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), ModelError> {
        out.extend_from_slice(b"{\"custom_id\":");
        serde_json::to_writer(&mut *out, custom_id).map_err(|e| ModelError::Config(e.to_string()))?;
        out.extend_from_slice(b",\"method\":\"POST\",\"url\":\"");
        out.extend_from_slice(ENDPOINT.as_bytes());
        out.extend_from_slice(b"\",\"body\":");
        out.extend_from_slice(&self.body(request, false));
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
        let status = value["response"]["status_code"].as_u64().and_then(|s| u16::try_from(s).ok());
        let error = &value["error"];
        let outcome = if !error.is_null() {
            match error["code"].as_str() {
                Some("batch_expired") => Err(ModelError::BatchExpired { batch }),
                Some("batch_cancelled") => Err(ModelError::BatchCanceled { batch }),
                _ => Err(ModelError::BatchRequestFailed { batch, status, message: message_of(error) }),
            }
        } else if status != Some(200) {
            let body = &value["response"]["body"];
            let message = if body["error"].is_null() { said(body) } else { message_of(&body["error"]) };
            Err(ModelError::BatchRequestFailed { batch, status, message })
        } else {
            super::completion(value["response"]["body"].take())
        };
        Ok((custom_id, outcome))
    }
}

/// An OpenAI error object's message (with its code), or the object.
fn message_of(error: &Value) -> String {
    match (error["code"].as_str(), error["message"].as_str()) {
        (Some(code), Some(message)) => said(&Value::String(format!("{code}: {message}"))),
        (None, Some(message)) => said(&Value::String(message.to_owned())),
        _ => said(error),
    }
}
