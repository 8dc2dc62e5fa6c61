//! Traces (feature `tracing`): a capturing subscriber records every span with its parent and
//! attributes. A fan-out of 50 dispatches gives 50 `invoke_agent` spans under the caller's
//! span, each with its `chat` spans and the usage of its report.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use agentbind_run::scripted::{ScriptedResponse, ScriptedServer};
use agentbind_run::{run_all, OpenAiCompatible, RunDispatch, RunOptions};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

const FULL: &str = "## Summary\nAdded the endpoint.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\ngo test passes.\n\n## Next Steps\nNone.\n";
const PARTIAL: &str = "## Summary\nAdded the endpoint.\n";

/// One recorded span.
#[derive(Debug, Clone, Default)]
struct Captured {
    name: String,
    parent: Option<u64>,
    fields: HashMap<String, String>,
}

#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<HashMap<u64, Captured>>>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let parent = ctx.span(id).and_then(|span| span.parent()).map(|parent| parent.id().into_u64());
        let mut captured =
            Captured { name: attrs.metadata().name().to_owned(), parent, ..Captured::default() };
        attrs.record(&mut Fields(&mut captured.fields));
        self.spans.lock().unwrap().insert(id.into_u64(), captured);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        if let Some(captured) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut captured.fields));
        }
    }
}

fn dispatch(n: usize) -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: format!("Task {n}"),
        requirements: "Return 200".into(),
    }))
}

#[tokio::test]
async fn a_fan_out_of_fifty_gives_fifty_invoke_agent_spans_under_the_callers_span() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = ScriptedServer::repeating(ScriptedResponse::openai(FULL)).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap().with_model("local-model");
    let orchestrate = tracing::info_span!("orchestrate");
    let results = {
        use tracing::Instrument;
        run_all(&client, (0..50).map(dispatch), RunOptions::default(), 8)
            .instrument(orchestrate.clone())
            .await
    };
    assert!(results.iter().all(Result::is_ok));
    let orchestrate_id = orchestrate.id().unwrap().into_u64();

    let spans = capture.spans.lock().unwrap().clone();
    let runs: Vec<(&u64, &Captured)> = spans.iter().filter(|(_, s)| s.name == "invoke_agent").collect();
    assert_eq!(runs.len(), 50);
    let mut output_tokens = 0u64;
    for (id, run) in &runs {
        assert_eq!(run.parent, Some(orchestrate_id), "{run:?}");
        let f = &run.fields;
        assert_eq!(f["otel.name"], "invoke_agent backend-engineer-golang");
        assert_eq!(f["gen_ai.operation.name"], "invoke_agent");
        assert_eq!(f["gen_ai.agent.name"], "backend-engineer-golang");
        assert_eq!(f["gen_ai.provider.name"], "openai-compatible");
        assert_eq!(f["gen_ai.request.model"], "local-model");
        assert_eq!(f["gen_ai.response.model"], "scripted-model");
        assert_eq!(f["agentbind.attempts"], "1");
        assert!(!f.contains_key("error.type"));
        output_tokens += f["gen_ai.usage.output_tokens"].parse::<u64>().unwrap();
        let calls: Vec<&Captured> = spans.values().filter(|s| s.parent == Some(**id)).collect();
        assert_eq!(calls.len(), 1);
        let call = &calls[0].fields;
        assert_eq!(calls[0].name, "chat");
        assert_eq!(call["otel.name"], "chat local-model");
        assert_eq!(call["gen_ai.operation.name"], "chat");
        assert_eq!(call["server.address"], "127.0.0.1");
        assert_eq!(call["server.port"], server.addr().port().to_string());
        assert_eq!(call["gen_ai.response.finish_reasons"], "[\"stop\"]");
        assert_eq!(call["gen_ai.usage.input_tokens"], f["gen_ai.usage.input_tokens"]);
        assert_eq!(call["agentbind.attempt"], "1");
        // No content unless asked for.
        assert!(!call.contains_key("gen_ai.input.messages") && !call.contains_key("gen_ai.output.messages"));
    }
    let reported: u64 = results.iter().map(|r| r.as_ref().unwrap().report.usage.output_tokens).sum();
    assert_eq!(output_tokens, reported);
}

#[tokio::test]
async fn repairs_and_failed_calls_are_chat_spans_with_their_errors_and_content_is_opt_in() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    let server = ScriptedServer::start(vec![
        ScriptedResponse::status(503, "busy"),
        ScriptedResponse::openai(PARTIAL),
        ScriptedResponse::openai(FULL),
    ])
    .await
    .unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let options = RunOptions::default()
        .backoff(std::time::Duration::ZERO, std::time::Duration::ZERO)
        .trace_content(true);
    let run = dispatch(0).run(&client, options).await.unwrap();
    assert_eq!((run.report.retries(), run.report.repairs()), (1, 1));

    let spans = capture.spans.lock().unwrap().clone();
    let (run_id, run_span) = spans.iter().find(|(_, s)| s.name == "invoke_agent").unwrap();
    assert_eq!(run_span.fields["agentbind.repairs"], "1");
    assert_eq!(run_span.fields["agentbind.retries"], "1");
    let mut calls: Vec<&Captured> = spans.values().filter(|s| s.parent == Some(*run_id)).collect();
    calls.sort_by_key(|c| c.fields["agentbind.attempt"].clone());
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].fields["error.type"], "503");
    assert_eq!(calls[1].fields["error.type"], "contract");
    assert_eq!(calls[1].fields["agentbind.contract.problems"], "4");
    assert!(!calls[2].fields.contains_key("error.type"));
    // With content tracing on, the prompt and the reply are there.
    assert!(calls[2].fields["gen_ai.input.messages"].contains("Task 0"));
    assert!(calls[2].fields["gen_ai.output.messages"].contains("Added the endpoint."));

    // A run that fails says why.
    let failing = ScriptedServer::repeating(ScriptedResponse::openai(PARTIAL)).await.unwrap();
    let client = OpenAiCompatible::new(&failing.url("/v1"), "").unwrap();
    dispatch(1).run(&client, RunOptions::default().repairs(0)).await.unwrap_err();
    let spans = capture.spans.lock().unwrap().clone();
    let failed = spans
        .values()
        .find(|s| s.name == "invoke_agent" && s.fields.get("error.type").is_some_and(|t| t == "contract"));
    assert!(failed.is_some(), "{spans:#?}");
}
