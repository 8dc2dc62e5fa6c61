//! Traces of runs (feature `tracing`), in the OpenTelemetry GenAI semantic conventions: a span
//! `invoke_agent` per run (`otel.name` = `invoke_agent {agent}`), and under it a span `chat`
//! per model call (`otel.name` = `chat {model}`), each with the conventions' attributes
//! (`gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.agent.name`,
//! `gen_ai.request.model`, `gen_ai.response.model`, `gen_ai.usage.input_tokens`,
//! `gen_ai.usage.output_tokens`, `gen_ai.response.finish_reasons`, `server.address`,
//! `server.port`, `error.type`) and agentbind's own (`agentbind.attempt`,
//! `agentbind.constraint`, `agentbind.contract.problems`, `agentbind.repairs`,
//! `agentbind.retries`, `agentbind.cost_usd`). The prompt and the reply
//! (`gen_ai.input.messages`, `gen_ai.output.messages`) are only recorded with
//! `RunOptions::trace_content(true)`.
//!
//! A run's span is a child of the span current where the run is polled, so the runs of a
//! fan-out nest under the caller's span. Without the feature, these types are empty and cost
//! nothing.

#[cfg(feature = "tracing")]
use crate::error::RunErrorKind;
use crate::error::{ModelError, RunError};
use crate::options::ConstraintMode;
use crate::report::{Attempt, RunReport};

/// The span of one run.
#[derive(Clone)]
pub(crate) struct RunSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

/// The span of one model call.
pub(crate) struct CallSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    #[cfg(feature = "tracing")]
    content: bool,
}

/// What a span says of the run it covers.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) struct RunFacts<'a> {
    pub(crate) agent: &'a str,
    pub(crate) backend: &'a str,
    pub(crate) model: Option<&'a str>,
    pub(crate) constraint: ConstraintMode,
    pub(crate) server: Option<(String, Option<u16>)>,
    pub(crate) content: bool,
}

/// `error.type` of a failed call: the kind of error, in snake case.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
fn error_type(error: &ModelError) -> String {
    match error {
        ModelError::Unreachable { .. } => "unreachable".into(),
        ModelError::Status { status, .. } => status.to_string(),
        ModelError::Redirected { status, .. } => status.to_string(),
        ModelError::Stalled { .. } => "stalled".into(),
        ModelError::InvalidResponse { .. } => "invalid_response".into(),
        ModelError::EmptyReply { .. } => "empty_reply".into(),
        ModelError::TooLarge { .. } => "too_large".into(),
        ModelError::StreamCut { .. } => "stream_cut".into(),
        ModelError::ContextExceeded { .. } => "context_exceeded".into(),
        ModelError::Spawn { .. } => "spawn".into(),
        ModelError::Process { .. } => "process".into(),
        ModelError::Config(_) => "config".into(),
        ModelError::ReplayMiss { .. } => "replay_miss".into(),
        ModelError::Recording { .. } => "recording".into(),
        ModelError::BatchExpired { .. } => "batch_expired".into(),
        ModelError::BatchCanceled { .. } => "batch_canceled".into(),
        ModelError::BatchRequestFailed { status: Some(status), .. } => status.to_string(),
        ModelError::BatchRequestFailed { status: None, .. } => "batch_request_failed".into(),
    }
}

#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
fn constraint_name(constraint: ConstraintMode) -> &'static str {
    match constraint {
        ConstraintMode::Grammar => "grammar",
        ConstraintMode::JsonSchema => "json_schema",
        _ => "off",
    }
}

/// The host and port of `url` (`http://127.0.0.1:8080/v1` gives `127.0.0.1` and 8080).
pub(crate) fn server_of(url: &str) -> Option<(String, Option<u16>)> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if authority.starts_with('[') {
        let (host, port) = authority.split_once(']')?;
        return Some((format!("{host}]"), port.strip_prefix(':').and_then(|p| p.parse().ok())));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_owned(), port.parse().ok())),
        None => Some((authority.to_owned(), None)),
    }
}

impl RunSpan {
    /// No span (until the run's facts are known).
    pub(crate) fn none() -> Self {
        RunSpan {
            #[cfg(feature = "tracing")]
            span: tracing::Span::none(),
        }
    }

    /// The span of a run of `facts`, a child of the current span.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn new(facts: &RunFacts<'_>) -> Self {
        #[cfg(feature = "tracing")]
        {
            let span = tracing::info_span!(
                "invoke_agent",
                otel.name = %format_args!("invoke_agent {}", facts.agent),
                otel.kind = "client",
                gen_ai.operation.name = "invoke_agent",
                gen_ai.agent.name = facts.agent,
                gen_ai.provider.name = facts.backend,
                gen_ai.request.model = facts.model,
                agentbind.constraint = constraint_name(facts.constraint),
                gen_ai.response.model = tracing::field::Empty,
                gen_ai.usage.input_tokens = tracing::field::Empty,
                gen_ai.usage.output_tokens = tracing::field::Empty,
                agentbind.attempts = tracing::field::Empty,
                agentbind.repairs = tracing::field::Empty,
                agentbind.retries = tracing::field::Empty,
                agentbind.cost_usd = tracing::field::Empty,
                error.type = tracing::field::Empty,
            );
            RunSpan { span }
        }
        #[cfg(not(feature = "tracing"))]
        RunSpan {}
    }

    /// `future`, run inside this span.
    pub(crate) fn instrument<F: std::future::Future>(
        &self,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(future, self.span.clone())
        }
        #[cfg(not(feature = "tracing"))]
        future
    }

    /// The span of the next model call, a child of this one.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn call(&self, facts: &RunFacts<'_>, attempt: usize) -> CallSpan {
        #[cfg(feature = "tracing")]
        {
            let model = facts.model.unwrap_or("default");
            let (address, port) = match &facts.server {
                Some((address, port)) => (Some(address.as_str()), *port),
                None => (None, None),
            };
            let span = tracing::info_span!(
                parent: &self.span,
                "chat",
                otel.name = %format_args!("chat {model}"),
                otel.kind = "client",
                gen_ai.operation.name = "chat",
                gen_ai.agent.name = facts.agent,
                gen_ai.provider.name = facts.backend,
                gen_ai.request.model = facts.model,
                server.address = address,
                server.port = port,
                agentbind.attempt = attempt,
                agentbind.constraint = constraint_name(facts.constraint),
                gen_ai.response.model = tracing::field::Empty,
                gen_ai.usage.input_tokens = tracing::field::Empty,
                gen_ai.usage.output_tokens = tracing::field::Empty,
                gen_ai.response.finish_reasons = tracing::field::Empty,
                agentbind.contract.problems = tracing::field::Empty,
                agentbind.cost_usd = tracing::field::Empty,
                error.type = tracing::field::Empty,
                gen_ai.input.messages = tracing::field::Empty,
                gen_ai.output.messages = tracing::field::Empty,
            );
            CallSpan { span, content: facts.content }
        }
        #[cfg(not(feature = "tracing"))]
        CallSpan {}
    }

    /// Records how the run ended: its report, and the error that ended it.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn finish(&self, report: &RunReport, error: Option<&RunError>) {
        #[cfg(feature = "tracing")]
        {
            let span = &self.span;
            span.record("gen_ai.usage.input_tokens", report.usage.input_tokens);
            span.record("gen_ai.usage.output_tokens", report.usage.output_tokens);
            span.record("agentbind.attempts", report.attempts.len());
            span.record("agentbind.repairs", report.repairs());
            span.record("agentbind.retries", report.retries());
            if let Some(model) = report.served_model() {
                span.record("gen_ai.response.model", model);
            }
            if let Some(cost) = report.cost_usd() {
                span.record("agentbind.cost_usd", cost);
            }
            if let Some(error) = error {
                let kind = match &error.kind {
                    RunErrorKind::Model(error) => error_type(error),
                    RunErrorKind::Reply(_) => "contract".to_owned(),
                    RunErrorKind::Timeout(_) => "timeout".to_owned(),
                };
                span.record("error.type", kind);
            }
        }
    }
}

impl CallSpan {
    /// `future`, run inside this span.
    pub(crate) fn instrument<F: std::future::Future>(
        &self,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(future, self.span.clone())
        }
        #[cfg(not(feature = "tracing"))]
        future
    }

    /// Records what the call sent (with content tracing on).
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn sent(&self, system: &str, messages: &[crate::client::Message]) {
        #[cfg(feature = "tracing")]
        if self.content {
            let mut all =
                vec![serde_json::json!({"role": "system", "parts": [{"type": "text", "content": system}]})];
            all.extend(messages.iter().map(|m| {
                serde_json::json!({"role": m.role.as_str(), "parts": [{"type": "text", "content": m.content}]})
            }));
            self.span.record("gen_ai.input.messages", serde_json::Value::Array(all).to_string());
        }
    }

    /// Records the call's attempt, and closes the span.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn finish(self, attempt: &Attempt) {
        #[cfg(feature = "tracing")]
        {
            let span = &self.span;
            span.record("gen_ai.usage.input_tokens", attempt.usage.input_tokens);
            span.record("gen_ai.usage.output_tokens", attempt.usage.output_tokens);
            if let Some(model) = &attempt.served_model {
                span.record("gen_ai.response.model", model.as_str());
            }
            if let Some(reason) = &attempt.finish_reason {
                span.record("gen_ai.response.finish_reasons", format!("[\"{}\"]", reason.escape_default()));
            }
            if let Some(cost) = attempt.cost_usd {
                span.record("agentbind.cost_usd", cost);
            }
            if let Some(error) = &attempt.call_error {
                span.record("error.type", error_type(error));
            }
            if let Some(error) = &attempt.error {
                span.record("agentbind.contract.problems", error.problems().len());
                span.record("error.type", "contract");
            }
            if self.content && !attempt.reply.is_empty() {
                let output = serde_json::json!([{"role": "assistant", "parts": [{"type": "text", "content": attempt.reply}]}]);
                span.record("gen_ai.output.messages", output.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_read_from_urls() {
        assert_eq!(server_of("http://127.0.0.1:8080/v1/chat"), Some(("127.0.0.1".into(), Some(8080))));
        assert_eq!(
            server_of("https://api.anthropic.com/v1/messages"),
            Some(("api.anthropic.com".into(), None))
        );
        assert_eq!(server_of("http://user:pw@host:9/x"), Some(("host".into(), Some(9))));
        assert_eq!(server_of("http://[::1]:8080/v1"), Some(("[::1]".into(), Some(8080))));
        assert_eq!(server_of("not a url"), None);
    }
}
