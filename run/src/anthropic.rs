//! Anthropic Messages API.

use agentbind::Model;
use serde_json::{json, Value};

use crate::client::{BoxFuture, Chunk, Completion, ModelRequest, Usage};
use crate::error::ModelError;
use crate::http::{self, EventMapper};
use crate::models::ModelMap;
use crate::pick::Keep;
use crate::sse::SseEvent;

/// The API version header sent.
const API_VERSION: &str = "2023-06-01";

/// A client of the Anthropic Messages API (`POST {base}/v1/messages`).
///
/// Agents' `model` values go through [`ModelMap::anthropic`] (`opus` → `claude-opus-4-1`...;
/// `inherit` → Sonnet) unless replaced. `max_tokens`, which the API requires, is 8192 unless
/// the run sets it.
#[derive(Clone)]
pub struct Anthropic {
    http: http::Transport,
    url: String,
    api_key: String,
    models: ModelMap,
    max_tokens: u32,
    system_prompts: http::SystemPrompts,
}

impl Anthropic {
    http::timeout_methods!();

    /// A client of `https://api.anthropic.com` (needs the `rustls` or `native-tls` feature).
    pub fn new(api_key: impl Into<String>) -> Result<Self, ModelError> {
        Self::with_base_url("https://api.anthropic.com", api_key)
    }

    /// A client of the API at `base_url` (a proxy or a test server), without `/v1`.
    pub fn with_base_url(base_url: &str, api_key: impl Into<String>) -> Result<Self, ModelError> {
        Ok(Self {
            http: http::Transport::new()?,
            url: format!("{}/v1/messages", http::base_url(base_url)?),
            api_key: api_key.into(),
            models: ModelMap::anthropic(),
            max_tokens: 8192,
            system_prompts: http::SystemPrompts::default(),
        })
    }

    /// Sends `id` for agents whose `model` is `model`.
    pub fn map_model(mut self, model: Model, id: impl Into<String>) -> Self {
        self.models = self.models.alias(model, id);
        self
    }

    /// Replaces the model map.
    pub fn with_models(mut self, models: ModelMap) -> Self {
        self.models = models;
        self
    }

    /// `max_tokens` of requests whose run sets none.
    pub fn default_max_tokens(mut self, tokens: u32) -> Self {
        self.max_tokens = tokens;
        self
    }

    /// The Messages parameters every request of `request` has: the model, the token limit,
    /// the system prompt, the messages and the temperature (a batch request's `params`).
    fn params(&self, request: &ModelRequest<'_>, model: &str) -> http::JsonBody {
        let mut body = http::JsonBody::with_capacity(http::body_size(request.system, request.messages));
        body.text("model", model);
        body.value("max_tokens", &json!(request.max_tokens.unwrap_or(self.max_tokens)));
        body.raw("system", &self.system_prompts.json(request.system));
        body.messages("messages", None, request.messages);
        if let Some(temperature) = request.temperature {
            body.value("temperature", &json!(temperature));
        }
        body
    }

    fn post(
        &self,
        request: &ModelRequest<'_>,
        stream: bool,
    ) -> BoxFuture<'_, Result<reqwest::Response, ModelError>> {
        if request.grammar.is_some() {
            let message = "the Anthropic Messages API takes no grammar: run with `Constraint::Off` or `Auto`"
                .to_owned();
            return Box::pin(async move { Err(ModelError::Config(message)) });
        }
        let Some(model) = self.models.resolve(request.model) else {
            let message = format!("no Anthropic model id for `{}`: map it with `map_model`", request.model);
            return Box::pin(async move { Err(ModelError::Config(message)) });
        };
        let mut body = self.params(request, &model);
        if let Some(schema) = request.json_schema {
            // Structured outputs, as generally available (no beta header); written around the
            // schema's JSON, which is not copied.
            let mut config = br#"{"format":{"type":"json_schema","schema":"#.to_vec();
            config.extend_from_slice(schema.json().as_bytes());
            config.extend_from_slice(b"}}");
            body.raw("output_config", &config);
        }
        if stream {
            body.value("stream", &json!(true));
        }
        let body = body.finish();
        let key = match http::sensitive(&self.api_key) {
            Ok(key) => key,
            Err(error) => return Box::pin(async move { Err(error) }),
        };
        let builder = self
            .http
            .client
            .post(&self.url)
            .header("x-api-key", key)
            .header("anthropic-version", API_VERSION);
        Box::pin(http::post(builder, &self.url, body, self.http.idle))
    }
}

/// The key is redacted.
impl std::fmt::Debug for Anthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anthropic")
            .field("url", &self.url)
            .field("api_key", &http::redacted(&self.api_key))
            .field("models", &self.models)
            .field("max_tokens", &self.max_tokens)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

http::http_model_client!(Anthropic);

impl http::HttpBackend for Anthropic {
    type Events = StreamMapper;
    const NAME: &'static str = "anthropic";
    const KEEP: Keep = Keep::Fields(&[
        ("type", Keep::All),
        ("error", Keep::All),
        ("content", Keep::Each(&Keep::Fields(&[("type", Keep::All), ("text", Keep::All)]))),
        (
            "usage",
            Keep::Fields(&[
                ("input_tokens", Keep::All),
                ("output_tokens", Keep::All),
                ("cache_read_input_tokens", Keep::All),
                ("cache_creation_input_tokens", Keep::All),
            ]),
        ),
        ("model", Keep::All),
        ("stop_reason", Keep::All),
    ]);

    fn models(&self) -> &ModelMap {
        &self.models
    }

    fn idle_timeout(&self) -> std::time::Duration {
        self.http.idle
    }

    fn endpoint(&self) -> &str {
        &self.url
    }

    fn supports_json_schema(&self) -> bool {
        true
    }

    fn send(
        &self,
        request: &ModelRequest<'_>,
        stream: bool,
    ) -> BoxFuture<'_, Result<reqwest::Response, ModelError>> {
        self.post(request, stream)
    }

    fn completion(body: Value) -> Result<Completion, ModelError> {
        completion(body)
    }
}

/// The text blocks of a Messages response, joined.
fn completion(body: Value) -> Result<Completion, ModelError> {
    let invalid = |message: &str| http::invalid(message, &body);
    if body["type"] == "error" {
        if let Some(exceeded) = http::context_exceeded(&body) {
            return Err(exceeded);
        }
        return Err(invalid(&format!("the server reported an error: {}", body["error"])));
    }
    let blocks = body["content"].as_array().ok_or_else(|| invalid("no `content` list"))?;
    let text: String =
        blocks.iter().filter(|b| b["type"] == "text").filter_map(|b| b["text"].as_str()).collect();
    Ok(Completion {
        text: http::within_limit(text)?,
        usage: usage_of(&body["usage"]),
        model: body["model"].as_str().map(str::to_owned),
        finish_reason: body["stop_reason"].as_str().map(str::to_owned),
        cost_usd: None,
    })
}

/// The usage of a Messages response: `input_tokens` counts only what was not read from or
/// written to the prompt cache, so the cache's tokens are added to it
/// (`cache_read_input_tokens` are also the cached part).
fn usage_of(usage: &Value) -> Usage {
    let cached = http::tokens(usage, "cache_read_input_tokens");
    let input = http::tokens(usage, "input_tokens")
        .saturating_add(cached)
        .saturating_add(http::tokens(usage, "cache_creation_input_tokens"));
    Usage::new(input, http::tokens(usage, "output_tokens")).with_cached(cached)
}

/// Messages stream events: `message_start` (model, input tokens), `content_block_delta`
/// (text), `message_delta` (stop reason, output tokens so far), `message_stop`.
#[derive(Default)]
pub(crate) struct StreamMapper {
    output_tokens: u64,
    stop_reason: Option<String>,
}

impl EventMapper for StreamMapper {
    fn event(&mut self, event: &SseEvent, out: &mut Vec<Chunk>) -> Result<(), ModelError> {
        let data = http::event_json(event)?;
        match data["type"].as_str().unwrap_or(event.event.as_str()) {
            "message_start" => {
                let message = &data["message"];
                if let Some(model) = message["model"].as_str() {
                    out.push(Chunk::Model(model.to_owned()));
                }
                self.output_tokens = http::tokens(&message["usage"], "output_tokens");
                let usage = usage_of(&message["usage"]);
                out.push(Chunk::Usage(
                    Usage::new(usage.input_tokens, self.output_tokens).with_cached(usage.cached_input_tokens),
                ));
            }
            "content_block_delta" => {
                if let Some(text) = data["delta"]["text"].as_str() {
                    out.push(Chunk::Text(text.to_owned()));
                }
            }
            "message_delta" => {
                if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                    self.stop_reason = Some(reason.to_owned());
                }
                // `output_tokens` here counts the whole reply so far: add what is new.
                let so_far = http::tokens(&data["usage"], "output_tokens");
                if so_far > self.output_tokens {
                    out.push(Chunk::Usage(Usage::new(0, so_far - self.output_tokens)));
                    self.output_tokens = so_far;
                }
            }
            "message_stop" => out.push(Chunk::Finished { reason: self.stop_reason.take() }),
            "error" => {
                if let Some(exceeded) = http::context_exceeded(&data) {
                    return Err(exceeded);
                }
                return Err(ModelError::InvalidResponse {
                    message: format!("the server reported an error in the stream: {}", data["error"]),
                    body: http::body_excerpt(&data),
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, _out: &mut Vec<Chunk>) {}
}

// Message Batches for this client (feature `batch`): a child module, to share its bodies.
#[cfg(feature = "batch")]
#[path = "batch/anthropic.rs"]
mod batch;
