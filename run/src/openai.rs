//! OpenAI-compatible Chat Completions: OpenAI, Ollama, vLLM, llama.cpp's server, LM Studio,
//! OpenRouter.

use agentbind::Model;
use serde_json::{json, Value};

use crate::client::{BoxFuture, Chunk, Completion, ModelRequest, Usage};
use crate::error::ModelError;
use crate::http::{self, EventMapper};
use crate::models::ModelMap;
use crate::pick::Keep;
use crate::sse::SseEvent;

/// A client of an OpenAI-compatible Chat Completions API (`POST {base}/chat/completions`).
///
/// ```ignore
/// let client = OpenAiCompatible::new("http://127.0.0.1:8080/v1", "")?.with_model("smollm2");
/// ```
///
/// Agents' `model` values are mapped through a [`ModelMap`], empty by default: set a default
/// model with [`with_model`](Self::with_model) (then every alias and `inherit` go to it) and
/// aliases with [`map_model`](Self::map_model).
#[derive(Clone)]
pub struct OpenAiCompatible {
    http: http::Transport,
    url: String,
    api_key: String,
    models: ModelMap,
    headers: Vec<(String, String)>,
    system_prompts: http::SystemPrompts,
    max_tokens_field: &'static str,
    grammars: bool,
    json_schemas: bool,
}

impl OpenAiCompatible {
    http::timeout_methods!();

    /// A client of the API at `base_url` (ending in `/v1` for most servers). An empty
    /// `api_key` sends no `Authorization` header. Fails for a URL that is not `http://` or
    /// `https://` (the latter needs the `rustls` or `native-tls` feature).
    pub fn new(base_url: &str, api_key: impl Into<String>) -> Result<Self, ModelError> {
        Ok(Self {
            http: http::Transport::new()?,
            url: format!("{}/chat/completions", http::base_url(base_url)?),
            api_key: api_key.into(),
            models: ModelMap::new(),
            headers: Vec::new(),
            system_prompts: http::SystemPrompts::default(),
            max_tokens_field: "max_tokens",
            grammars: false,
            json_schemas: true,
        })
    }

    /// Sends `id` for `inherit` and for every alias without an id of its own.
    pub fn with_model(mut self, id: impl Into<String>) -> Self {
        self.models = self.models.default_model(id);
        self
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

    /// Adds a header to every request (OpenRouter's `HTTP-Referer`, an organization id...).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the reply's token limit ([`RunOptions::max_tokens`](crate::RunOptions::max_tokens))
    /// as `max_completion_tokens`, which OpenAI's reasoning models require, instead of
    /// `max_tokens`, which the other servers read.
    pub fn max_completion_tokens(mut self) -> Self {
        self.max_tokens_field = "max_completion_tokens";
        self
    }

    /// Says that the server enforces llama.cpp's `grammar` (llama.cpp's server and servers built
    /// on it), so that runs with [`Constraint::Auto`](crate::Constraint::Auto) send the reply
    /// grammar. Runs with `Constraint::Grammar` send it either way.
    pub fn grammars(mut self, supported: bool) -> Self {
        self.grammars = supported;
        self
    }

    /// Says whether the server enforces a JSON Schema sent as `response_format` (`json_schema`,
    /// with `strict`): on by default (OpenAI, vLLM, llama.cpp, Ollama, LM Studio and OpenRouter
    /// take it), so that runs with [`Constraint::Auto`](crate::Constraint::Auto) send the reply
    /// schema to a server without grammars. Runs with `Constraint::JsonSchema` send it either
    /// way.
    pub fn json_schemas(mut self, supported: bool) -> Self {
        self.json_schemas = supported;
        self
    }

    /// The endpoint called.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn body(&self, request: &ModelRequest<'_>, stream: bool) -> Vec<u8> {
        let mut body = http::JsonBody::with_capacity(http::body_size(request.system, request.messages));
        body.messages("messages", Some(&self.system_prompts.json(request.system)), request.messages);
        if let Some(model) = self.models.resolve(request.model) {
            body.text("model", &model);
        }
        if let Some(max_tokens) = request.max_tokens {
            body.value(self.max_tokens_field, &json!(max_tokens));
        }
        if let Some(grammar) = request.grammar {
            body.text("grammar", grammar);
        }
        if let Some(schema) = request.json_schema {
            // Written around the schema's JSON, which is not copied.
            let mut format = br#"{"type":"json_schema","json_schema":{"name":"#.to_vec();
            format.extend(serde_json::to_vec(&agentbind::tool_name(request.agent)).unwrap_or_default());
            format.extend_from_slice(br#","strict":true,"schema":"#);
            format.extend_from_slice(schema.json().as_bytes());
            format.extend_from_slice(b"}}");
            body.raw("response_format", &format);
        }
        if let Some(temperature) = request.temperature {
            body.value("temperature", &json!(temperature));
        }
        if stream {
            body.value("stream", &json!(true));
            body.value("stream_options", &json!({"include_usage": true}));
        }
        body.finish()
    }

    fn post(
        &self,
        request: &ModelRequest<'_>,
        stream: bool,
    ) -> BoxFuture<'_, Result<reqwest::Response, ModelError>> {
        let body = self.body(request, stream);
        let mut builder = self.http.client.post(&self.url);
        if !self.api_key.is_empty() {
            // Marked sensitive by reqwest.
            builder = builder.bearer_auth(&self.api_key);
        }
        for (name, value) in &self.headers {
            // Custom headers often carry keys too (Azure's `api-key`, a gateway's token).
            match http::sensitive(value) {
                Ok(value) => builder = builder.header(name, value),
                Err(error) => return Box::pin(async move { Err(error) }),
            }
        }
        Box::pin(http::post(builder, &self.url, body, self.http.idle))
    }
}

/// The key and the values of custom headers are redacted.
impl std::fmt::Debug for OpenAiCompatible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, http::Redacted)> =
            self.headers.iter().map(|(name, value)| (name.as_str(), http::redacted(value))).collect();
        f.debug_struct("OpenAiCompatible")
            .field("url", &self.url)
            .field("api_key", &http::redacted(&self.api_key))
            .field("headers", &headers)
            .field("models", &self.models)
            .field("max_tokens_field", &self.max_tokens_field)
            .field("grammars", &self.grammars)
            .field("json_schemas", &self.json_schemas)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

http::http_model_client!(OpenAiCompatible);

impl http::HttpBackend for OpenAiCompatible {
    type Events = StreamMapper;
    const NAME: &'static str = "openai-compatible";
    const KEEP: Keep = Keep::Fields(&[
        ("error", Keep::All),
        (
            "choices",
            Keep::First(&Keep::Fields(&[
                ("message", Keep::Fields(&[("content", Keep::All)])),
                ("finish_reason", Keep::All),
            ])),
        ),
        (
            "usage",
            Keep::Fields(&[
                ("prompt_tokens", Keep::All),
                ("completion_tokens", Keep::All),
                ("prompt_tokens_details", Keep::Fields(&[("cached_tokens", Keep::All)])),
            ]),
        ),
        ("model", Keep::All),
    ]);

    fn models(&self) -> &ModelMap {
        &self.models
    }

    fn idle_timeout(&self) -> std::time::Duration {
        self.http.idle
    }

    fn supports_grammar(&self) -> bool {
        self.grammars
    }

    fn endpoint(&self) -> &str {
        &self.url
    }

    fn supports_json_schema(&self) -> bool {
        self.json_schemas
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

/// The completion in a Chat Completions response body.
fn completion(body: Value) -> Result<Completion, ModelError> {
    let invalid = |message: &str| http::invalid(message, &body);
    if let Some(error) = body.get("error") {
        if let Some(exceeded) = http::context_exceeded(&body) {
            return Err(exceeded);
        }
        return Err(invalid(&format!("the server reported an error: {error}")));
    }
    let choice = body.get("choices").and_then(|c| c.get(0)).ok_or_else(|| invalid("no `choices[0]`"))?;
    let content = &choice["message"]["content"];
    let text = match content {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        _ => return Err(invalid("`choices[0].message.content` is not text")),
    };
    Ok(Completion {
        text: http::within_limit(text)?,
        usage: usage(&body["usage"]),
        model: body["model"].as_str().map(str::to_owned),
        finish_reason: choice["finish_reason"].as_str().map(str::to_owned),
        cost_usd: None,
    })
}

fn usage(usage: &Value) -> Usage {
    let cached = http::tokens(&usage["prompt_tokens_details"], "cached_tokens");
    Usage::new(http::tokens(usage, "prompt_tokens"), http::tokens(usage, "completion_tokens"))
        .with_cached(cached)
}

/// Chat Completions stream events: `choices[0].delta.content` pieces, a `finish_reason`, a
/// last chunk with `usage`, then `[DONE]`.
#[derive(Default)]
pub(crate) struct StreamMapper {
    model_sent: bool,
    finish_reason: Option<String>,
    done: bool,
}

impl EventMapper for StreamMapper {
    fn event(&mut self, event: &SseEvent, out: &mut Vec<Chunk>) -> Result<(), ModelError> {
        if event.data.trim() == "[DONE]" {
            self.done = true;
            out.push(Chunk::Finished { reason: self.finish_reason.take() });
            return Ok(());
        }
        let data = http::event_json(event)?;
        if let Some(error) = data.get("error") {
            // llama.cpp reports an error found once the stream has started as an event.
            if let Some(exceeded) = http::context_exceeded(&data) {
                return Err(exceeded);
            }
            return Err(ModelError::InvalidResponse {
                message: format!("the server reported an error in the stream: {error}"),
                body: http::body_excerpt(&data),
            });
        }
        if !self.model_sent {
            if let Some(model) = data["model"].as_str() {
                self.model_sent = true;
                out.push(Chunk::Model(model.to_owned()));
            }
        }
        if let Some(choice) = data.get("choices").and_then(|c| c.get(0)) {
            if let Some(text) = choice["delta"]["content"].as_str() {
                if !text.is_empty() {
                    out.push(Chunk::Text(text.to_owned()));
                }
            }
            if let Some(reason) = choice["finish_reason"].as_str() {
                self.finish_reason = Some(reason.to_owned());
            }
        }
        if data["usage"].is_object() {
            out.push(Chunk::Usage(usage(&data["usage"])));
        }
        Ok(())
    }

    fn end(&mut self, out: &mut Vec<Chunk>) {
        // Servers that leave out `[DONE]` still say why the model stopped.
        if !self.done && self.finish_reason.is_some() {
            out.push(Chunk::Finished { reason: self.finish_reason.take() });
        }
    }
}

// OpenAI's Batch API for this client (feature `batch`): a child module, to share its bodies.
#[cfg(feature = "batch")]
#[path = "batch/openai.rs"]
mod batch;
