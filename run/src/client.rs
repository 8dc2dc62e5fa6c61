//! The model trait: a system prompt and messages in, text and usage out.

use std::future::Future;
use std::ops::AddAssign;
use std::pin::Pin;
use std::sync::Arc;

use agentbind::{ClaudeCodeSettings, Model, Tool};
use futures_core::Stream;

use crate::error::ModelError;

/// A boxed future that can be sent between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The pieces of a streamed reply, as a model sends them.
pub type ChunkStream<'a> = Pin<Box<dyn Stream<Item = Result<Chunk, ModelError>> + Send + 'a>>;

/// Who wrote a message of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The orchestrator: the dispatch's prompt, or a repair request.
    User,
    /// The model: an earlier reply.
    Assistant,
}

impl Role {
    /// The role's name in the OpenAI and Anthropic APIs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its text.
    pub content: String,
}

impl Message {
    /// A message from the orchestrator.
    pub fn user(content: impl Into<String>) -> Self {
        Self { role: Role::User, content: content.into() }
    }

    /// A message from the model.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self { role: Role::Assistant, content: content.into() }
    }
}

/// What is sent to a model: the agent's system prompt and the conversation so far.
#[derive(Debug, Clone, Copy)]
pub struct ModelRequest<'a> {
    /// The agent's name (for errors and for backends that label requests).
    pub agent: &'a str,
    /// The agent's `model`; each client maps it to an id of its backend
    /// ([`ModelClient::model_id`]).
    pub model: Model<'a>,
    /// The system prompt: the agent file's body.
    pub system: &'a str,
    /// The conversation, oldest first; it ends with a [`Role::User`] message.
    pub messages: &'a [Message],
    /// The agent's `tools` (empty: unrestricted); used by Claude Code.
    pub tools: &'a [Tool<'a>],
    /// The agent's other Claude Code keys (`disallowedTools`, `permissionMode`, `maxTurns`...);
    /// used by Claude Code, ignored by the other backends.
    pub claude_code: ClaudeCodeSettings<'a>,
    /// The most tokens the reply may have, when set.
    pub max_tokens: Option<u32>,
    /// Sampling temperature, when set.
    pub temperature: Option<f32>,
    /// The reply grammar (GBNF) the server must follow, when the run is constrained.
    pub grammar: Option<&'a str>,
    /// The JSON Schema the reply must follow (structured outputs), when the run is constrained
    /// to it (`Constraint::JsonSchema`); the reply is then JSON.
    pub json_schema: Option<&'a JsonSchema>,
}

/// A JSON Schema and its JSON text, written once and sent with every call that takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchema {
    value: serde_json::Value,
    json: String,
}

impl JsonSchema {
    /// `value`, with its JSON text.
    pub fn new(value: serde_json::Value) -> Self {
        let json = value.to_string();
        JsonSchema { value, json }
    }

    /// The schema.
    pub fn value(&self) -> &serde_json::Value {
        &self.value
    }

    /// Its JSON text.
    pub fn json(&self) -> &str {
        &self.json
    }
}

/// Token counts of a model call, or of a whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Usage {
    /// Tokens of the prompt (system prompt and messages), those read from the server's prompt
    /// cache included.
    pub input_tokens: u64,
    /// Tokens of the reply.
    pub output_tokens: u64,
    /// The part of `input_tokens` read from the server's prompt cache, when it says (OpenAI's
    /// `prompt_tokens_details.cached_tokens`, Anthropic's `cache_read_input_tokens`), priced
    /// apart by a [`Pricing`](crate::Pricing).
    pub cached_input_tokens: u64,
}

impl Usage {
    /// `input_tokens` of prompt and `output_tokens` of reply, none of them cached.
    pub const fn new(input_tokens: u64, output_tokens: u64) -> Self {
        Usage { input_tokens, output_tokens, cached_input_tokens: 0 }
    }

    /// This usage, with `cached` of its input tokens read from the prompt cache.
    pub const fn with_cached(mut self, cached: u64) -> Self {
        self.cached_input_tokens = cached;
        self
    }

    /// Input and output tokens together (saturating: counts come from the server).
    pub fn total(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}

/// Adds counts, saturating at `u64::MAX`: servers report them, and a hostile one may report
/// any number.
impl AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.cached_input_tokens = self.cached_input_tokens.saturating_add(other.cached_input_tokens);
    }
}

/// A model's whole reply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    /// The reply text.
    pub text: String,
    /// Token counts, as the backend reported them (zero when it reports none).
    pub usage: Usage,
    /// The model id the backend says answered, when it says.
    pub model: Option<String>,
    /// Why the model stopped (`stop`, `length`, `end_turn`...), when the backend says.
    pub finish_reason: Option<String>,
    /// What the call cost in US dollars, when the backend says (Claude Code's
    /// `total_cost_usd`, counted for this call only).
    pub cost_usd: Option<f64>,
}

/// One piece of a streamed reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Chunk {
    /// More reply text.
    Text(String),
    /// Token counts (a backend may send them in pieces: they add up).
    Usage(Usage),
    /// The model id that answers.
    Model(String),
    /// What the call cost in US dollars (costs sent in pieces add up, as usage does).
    CostUsd(f64),
    /// The reply is complete. A stream that ends without it was cut.
    Finished {
        /// Why the model stopped, when the backend says.
        reason: Option<String>,
    },
}

/// A model backend: sends a system prompt and messages, gives back text and usage.
///
/// The futures returned borrow the client only, not the request: an implementation reads
/// what it needs from the request before it returns (an HTTP client serializes the body).
/// Implemented by `OpenAiCompatible`, `Anthropic` and `ClaudeCode` (each behind its cargo
/// feature), and by
/// references, `Box` and `Arc` of any implementation.
pub trait ModelClient: Send + Sync {
    /// A short name of the backend, for reports (`openai-compatible`).
    fn backend(&self) -> &str;

    /// The model id this client sends for an agent's `model` (see [`ModelMap`](crate::ModelMap)).
    fn model_id(&self, model: Model) -> Option<String>;

    /// Whether requests with a [`grammar`](ModelRequest::grammar) reach a server that enforces
    /// it (llama.cpp's). `false` by default.
    fn supports_grammar(&self) -> bool {
        false
    }

    /// Whether requests with a [`json_schema`](ModelRequest::json_schema) reach a server that
    /// enforces it (structured outputs). `false` by default.
    fn supports_json_schema(&self) -> bool {
        false
    }

    /// The URL requests go to, when the backend calls one (for traces' `server.address`).
    fn server_url(&self) -> Option<&str> {
        None
    }

    /// Sends `request` and waits for the whole reply.
    fn complete<'a>(&'a self, request: &ModelRequest<'_>) -> BoxFuture<'a, Result<Completion, ModelError>>;

    /// Sends `request` and streams the reply as it is written. The default sends it with
    /// [`complete`](Self::complete) and gives the whole reply as one piece.
    fn stream<'a>(
        &'a self,
        request: &ModelRequest<'_>,
    ) -> BoxFuture<'a, Result<ChunkStream<'a>, ModelError>> {
        whole_as_stream(self.complete(request))
    }
}

/// The stream of a whole reply: its text as one piece, then its usage, model, cost and end.
pub(crate) fn whole_as_stream<'a>(
    completion: BoxFuture<'a, Result<Completion, ModelError>>,
) -> BoxFuture<'a, Result<ChunkStream<'a>, ModelError>> {
    Box::pin(async move {
        let completion = completion.await?;
        let mut chunks = vec![Ok(Chunk::Text(completion.text)), Ok(Chunk::Usage(completion.usage))];
        if let Some(model) = completion.model {
            chunks.push(Ok(Chunk::Model(model)));
        }
        if let Some(cost) = completion.cost_usd {
            chunks.push(Ok(Chunk::CostUsd(cost)));
        }
        chunks.push(Ok(Chunk::Finished { reason: completion.finish_reason }));
        Ok(Box::pin(futures_util::stream::iter(chunks)) as ChunkStream<'a>)
    })
}

macro_rules! forward_client {
    ($($ty:ty),*) => {$(
        impl<T: ModelClient + ?Sized> ModelClient for $ty {
            fn backend(&self) -> &str {
                (**self).backend()
            }
            fn model_id(&self, model: Model) -> Option<String> {
                (**self).model_id(model)
            }
            fn supports_grammar(&self) -> bool {
                (**self).supports_grammar()
            }
            fn supports_json_schema(&self) -> bool {
                (**self).supports_json_schema()
            }
            fn server_url(&self) -> Option<&str> {
                (**self).server_url()
            }
            fn complete<'a>(&'a self, request: &ModelRequest<'_>) -> BoxFuture<'a, Result<Completion, ModelError>> {
                (**self).complete(request)
            }
            fn stream<'a>(&'a self, request: &ModelRequest<'_>) -> BoxFuture<'a, Result<ChunkStream<'a>, ModelError>> {
                (**self).stream(request)
            }
        }
    )*};
}
forward_client!(&T, Box<T>, Arc<T>);
