//! Runs against the in-process scripted server: request shapes, repairs, usage, streaming,
//! fan-out, time limits and every kind of bad response, deterministically.

use std::time::Duration;

use agentbind::{Model, SectionKind};
use agentbind_run::scripted::{AnthropicBlock, ScriptedResponse, ScriptedServer};
use agentbind_run::{
    run_all, Anthropic, ModelError, OpenAiCompatible, RunDispatch, RunErrorKind, RunEvent, RunOptions, Usage,
};
use futures_util::StreamExt;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

#[agentbind::agent("../tests/fixtures/reviewer-schema.md")]
pub mod reviewer {}

const FULL: &str = "## Summary\nAdded the endpoint.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\ngo test passes.\n\n## Next Steps\nNone.\n";
const PARTIAL: &str = "## Summary\nAdded the endpoint.\n";

/// [`FULL`] as a JSON reply of the reply schema.
fn full_json() -> String {
    serde_json::json!({
        "Summary": "Added the endpoint.",
        "Implementation": "A handler.",
        "Files Changed": "- health.go",
        "Testing": "go test passes.",
        "Next Steps": "None.",
        "Standards Compliance": null,
        "Blockers": null,
        "metrics": {"files_changed": 1, "lines_added": 20, "lines_removed": 0, "test_coverage_delta": 1.5, "execution_time_seconds": 3.0}
    })
    .to_string()
}

/// The completion tokens the scripted server counts for `text`: one per word.
fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

fn dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health endpoint".into(),
        requirements: "Return 200".into(),
    }))
}

async fn openai(responses: Vec<ScriptedResponse>) -> (ScriptedServer, OpenAiCompatible) {
    let server = ScriptedServer::start(responses).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "secret").unwrap().with_model("local-model");
    (server, client)
}

#[tokio::test]
async fn a_valid_first_reply_gives_the_typed_output_and_the_report() {
    let (server, client) = openai(vec![ScriptedResponse::openai(FULL)]).await;
    let dispatch = dispatch();
    let run = dispatch.run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.output, dispatch.parse_reply(FULL).unwrap());
    assert_eq!(run.output.summary.body, "Added the endpoint.");

    let report = &run.report;
    assert_eq!(report.agent, "backend-engineer-golang");
    assert_eq!(report.backend, "openai-compatible");
    assert_eq!(report.model.as_deref(), Some("local-model"));
    assert_eq!(report.served_model(), Some("scripted-model"));
    assert_eq!(report.attempts.len(), 1);
    assert_eq!(report.repairs(), 0);
    assert_eq!(report.usage, Usage::new(12, words(FULL)));
    assert_eq!(report.attempts[0].reply, FULL);
    assert_eq!(report.attempts[0].error, None);
    assert_eq!(report.attempts[0].finish_reason.as_deref(), Some("stop"));
    assert!(report.latency >= report.attempts[0].latency);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(request.header("authorization"), Some("Bearer secret"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = request.json().unwrap();
    assert_eq!(body["model"], "local-model");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][0]["content"], golang::Agent::SYSTEM_PROMPT);
    assert_eq!(body["messages"][1]["role"], "user");
    assert_eq!(body["messages"][1]["content"], dispatch.prompt_with_reply_format());
    assert_eq!(body["messages"].as_array().unwrap().len(), 2);
    assert!(body.get("stream").is_none());
    assert_eq!(run.report.attempts[0].request, dispatch.prompt_with_reply_format());
}

#[tokio::test]
async fn a_reply_missing_sections_is_repaired_with_feedback() {
    let (server, client) =
        openai(vec![ScriptedResponse::openai(PARTIAL), ScriptedResponse::openai(FULL)]).await;
    let dispatch = dispatch();
    let run = dispatch.run(&client, RunOptions::default().repairs(2)).await.unwrap();
    assert_eq!(run.output.testing.body, "go test passes.");
    assert_eq!(run.report.attempts.len(), 2);
    assert_eq!(run.report.usage, Usage::new(24, words(PARTIAL) + words(FULL)));

    let first = &run.report.attempts[0];
    let error = first.error.as_ref().unwrap();
    assert_eq!(
        error.missing_sections().collect::<Vec<_>>(),
        ["Implementation", "Files Changed", "Testing", "Next Steps"]
    );
    assert_eq!(error.reply(), None, "the attempt keeps the reply once, in `reply`");
    assert_eq!(first.reply, PARTIAL);

    let second = server.requests()[1].json().unwrap();
    let messages = second["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[2]["role"], "assistant");
    assert_eq!(messages[2]["content"], PARTIAL);
    assert_eq!(messages[3]["role"], "user");
    let feedback = messages[3]["content"].as_str().unwrap();
    assert_eq!(feedback, dispatch.parse_reply(PARTIAL).unwrap_err().feedback());
    assert!(feedback.contains("add a line `## Implementation`"), "{feedback}");
    assert_eq!(run.report.attempts[1].request, feedback);
}

#[tokio::test]
async fn when_repairs_run_out_the_error_keeps_every_attempt() {
    let (_server, client) =
        openai(vec![ScriptedResponse::openai(PARTIAL), ScriptedResponse::openai("## Summary\nStill.\n")])
            .await;
    let error = dispatch().run(&client, RunOptions::default().repairs(1)).await.unwrap_err();
    assert_eq!(error.agent, "backend-engineer-golang");
    assert_eq!(error.report.attempts.len(), 2);
    let reply_error = error.reply_error().unwrap();
    assert_eq!(reply_error.reply(), Some("## Summary\nStill.\n"));
    assert_eq!(reply_error.agent(), Some("backend-engineer-golang"));
    let text = error.to_string();
    assert!(text.starts_with("agent `backend-engineer-golang`: no valid reply after 2 attempt(s)"), "{text}");
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn no_repairs_means_one_attempt() {
    let (server, client) = openai(vec![ScriptedResponse::openai(PARTIAL)]).await;
    let error = dispatch().run(&client, RunOptions::default().repairs(0)).await.unwrap_err();
    assert_eq!(error.report.attempts.len(), 1);
    assert!(matches!(error.kind, RunErrorKind::Reply(_)));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_context_decides_what_is_required_and_what_the_feedback_asks_for() {
    let with_standards = format!("{FULL}\n## Standards Compliance\nFully compliant.\n");
    let (server, client) =
        openai(vec![ScriptedResponse::openai(FULL), ScriptedResponse::openai(&with_standards)]).await;
    let dispatch = dispatch().in_context(golang::InvocationContext::DevRefactor);
    let run = dispatch.run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.output.standards_compliance.unwrap().body, "Fully compliant.");
    let feedback =
        server.requests()[1].json().unwrap()["messages"][3]["content"].as_str().unwrap().to_owned();
    assert!(feedback.contains("`Standards Compliance` is missing"), "{feedback}");
    assert!(feedback.contains("required in context `dev-refactor`"), "{feedback}");
}

#[tokio::test]
async fn the_reply_format_can_be_left_out_and_options_reach_the_request() {
    let (server, client) = openai(vec![ScriptedResponse::openai(FULL)]).await;
    let dispatch = dispatch();
    let options = RunOptions::default().reply_format(false).max_tokens(300).temperature(0.5);
    dispatch.run(&client, options).await.unwrap();
    let body = server.requests()[0].json().unwrap();
    assert_eq!(body["messages"][1]["content"], dispatch.prompt());
    assert_eq!(body["max_tokens"], 300);
    assert_eq!(body["temperature"], 0.5);

    let (server, client) = openai(vec![ScriptedResponse::openai(FULL)]).await;
    dispatch.run(&client.max_completion_tokens(), RunOptions::default().max_tokens(64)).await.unwrap();
    let body = server.requests()[0].json().unwrap();
    assert_eq!(body["max_completion_tokens"], 64);
    assert!(body.get("max_tokens").is_none());
}

#[tokio::test]
async fn model_ids_follow_the_client_map() {
    let server = ScriptedServer::repeating(ScriptedResponse::openai(FULL)).await.unwrap();
    let plain = OpenAiCompatible::new(&server.url("/v1/"), "").unwrap();
    let mapped = plain.clone().with_model("fallback").map_model(Model::Opus, "big-model");
    dispatch().run(&plain, RunOptions::default()).await.unwrap();
    dispatch().run(&mapped, RunOptions::default()).await.unwrap();
    let requests = server.requests();
    // The reference agent declares `model: opus`.
    assert_eq!(requests[0].json().unwrap()["model"], "opus");
    assert_eq!(requests[0].header("authorization"), None, "an empty key sends no header");
    assert_eq!(requests[1].json().unwrap()["model"], "big-model");
}

#[test]
fn urls_are_checked_when_the_client_is_made() {
    assert!(matches!(OpenAiCompatible::new("ftp://host", ""), Err(ModelError::Config(_))));
    assert!(matches!(OpenAiCompatible::new("not a url", ""), Err(ModelError::Config(_))));
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    {
        let error = OpenAiCompatible::new("https://api.openai.com/v1", "").unwrap_err();
        assert!(error.to_string().contains("enable the `rustls` or `native-tls` feature"), "{error}");
    }
}

/// Collects a streaming run's events (and its error, if any).
async fn collect<A: agentbind::Agent>(
    stream: impl futures_core::Stream<Item = Result<RunEvent<A>, agentbind_run::RunError>>,
) -> (Vec<RunEvent<A>>, Option<agentbind_run::RunError>) {
    let mut events = Vec::new();
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(error) => return (events, Some(error)),
        }
    }
    (events, None)
}

fn section_events<A: agentbind::Agent>(events: &[RunEvent<A>]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            RunEvent::SectionStarted { section, .. } => Some(format!("+{}", section.name())),
            RunEvent::SectionCompleted { section, .. } => Some(format!("-{}", section.name())),
            RunEvent::Repairing { .. } => Some("repair".to_owned()),
            RunEvent::AttemptStarted { attempt } => Some(format!("attempt {attempt}")),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn streaming_reports_sections_as_they_arrive_and_ends_with_the_run() {
    let (server, client) = openai(vec![ScriptedResponse::openai_stream(FULL, 7)]).await;
    let dispatch = dispatch();
    let (events, error) = collect(dispatch.run_stream(&client, RunOptions::default())).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        section_events(&events),
        [
            "attempt 1",
            "+Summary",
            "-Summary",
            "+Implementation",
            "-Implementation",
            "+Files Changed",
            "-Files Changed",
            "+Testing",
            "-Testing",
            "+Next Steps",
            "-Next Steps"
        ]
    );
    let text: String = events
        .iter()
        .filter_map(|e| if let RunEvent::Text(t) = e { Some(t.as_str()) } else { None })
        .collect();
    assert_eq!(text, FULL);
    let Some(RunEvent::Finished(run)) = events.last() else {
        panic!("the last event is not Finished: {events:?}")
    };
    assert_eq!(run.output, dispatch.parse_reply(FULL).unwrap());
    assert_eq!(run.report.usage, Usage::new(12, words(FULL)));
    assert_eq!(run.report.served_model(), Some("scripted-model"));
    assert_eq!(run.report.attempts[0].finish_reason.as_deref(), Some("stop"));
    for event in &events {
        if let RunEvent::SectionCompleted { section: golang::Section::Summary, text } = event {
            assert_eq!(text, &run.output.summary);
        }
    }
    let body = server.requests()[0].json().unwrap();
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
}

#[tokio::test]
async fn streaming_repairs_and_starts_a_new_attempt() {
    let (_server, client) =
        openai(vec![ScriptedResponse::openai_stream(PARTIAL, 5), ScriptedResponse::openai_stream(FULL, 50)])
            .await;
    let (events, error) = collect(dispatch().run_stream(&client, RunOptions::default())).await;
    assert!(error.is_none(), "{error:?}");
    let names = section_events(&events);
    assert_eq!(&names[..4], ["attempt 1", "+Summary", "-Summary", "repair"]);
    assert_eq!(names[4], "attempt 2");
    let Some(RunEvent::Finished(run)) = events.last() else { panic!("not finished") };
    assert_eq!(run.report.attempts.len(), 2);
}

#[tokio::test]
async fn a_stream_cut_mid_section_is_an_error_after_the_events_so_far() {
    let full = ScriptedResponse::openai_stream(FULL, 10);
    // Keep the first five events (40 characters of text, into `## Implementation`), then close.
    let cut = ScriptedResponse::event_stream(
        (0..5)
            .map(|i| {
                format!(
                    "data: {{\"choices\":[{{\"delta\":{{\"content\":{}}}}}]}}\n\n",
                    serde_json::json!(&FULL[i * 10..i * 10 + 10])
                )
                .into_bytes()
            })
            .collect(),
    );
    drop(full);
    let (_server, client) = openai(vec![cut]).await;
    let (events, error) = collect(dispatch().run_stream(&client, RunOptions::default())).await;
    let error = error.expect("a cut stream is an error");
    assert!(matches!(error.model_error(), Some(ModelError::StreamCut { received: 50, .. })), "{error}");
    assert!(error.to_string().contains("backend-engineer-golang"));
    assert_eq!(section_events(&events), ["attempt 1", "+Summary", "-Summary", "+Implementation"]);
}

#[tokio::test]
async fn a_stream_event_that_is_not_json_is_an_invalid_response() {
    let (_server, client) =
        openai(vec![ScriptedResponse::event_stream(vec![b"data: {oops\n\n".to_vec()])]).await;
    let (_, error) = collect(dispatch().run_stream(&client, RunOptions::default())).await;
    assert!(matches!(error.unwrap().model_error(), Some(ModelError::InvalidResponse { .. })));
}

#[tokio::test]
async fn anthropic_requests_and_replies_whole_and_streamed() {
    let server = ScriptedServer::start([
        ScriptedResponse::anthropic(FULL),
        ScriptedResponse::anthropic_stream(PARTIAL, 4),
        ScriptedResponse::anthropic_stream(FULL, 9),
    ])
    .await
    .unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "ant-key").unwrap();
    let dispatch = dispatch();
    let run = dispatch.run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.output, dispatch.parse_reply(FULL).unwrap());
    assert_eq!(run.report.usage, Usage::new(12, words(FULL)));
    assert_eq!(run.report.model.as_deref(), Some("claude-opus-4-1"));
    assert_eq!(run.report.served_model(), Some("scripted-claude"));

    let (events, error) = collect(dispatch.run_stream(&client, RunOptions::default())).await;
    assert!(error.is_none(), "{error:?}");
    let Some(RunEvent::Finished(streamed)) = events.last() else { panic!("not finished") };
    assert_eq!(streamed.output, run.output);
    assert_eq!(streamed.report.attempts.len(), 2);
    assert_eq!(streamed.report.usage, Usage::new(24, words(PARTIAL) + words(FULL)));
    assert_eq!(streamed.report.attempts[1].finish_reason.as_deref(), Some("end_turn"));

    let requests = server.requests();
    let first = &requests[0];
    assert_eq!(first.path, "/v1/messages");
    assert_eq!(first.header("x-api-key"), Some("ant-key"));
    assert_eq!(first.header("anthropic-version"), Some("2023-06-01"));
    let body = first.json().unwrap();
    assert_eq!(body["model"], "claude-opus-4-1");
    assert_eq!(body["system"], golang::Agent::SYSTEM_PROMPT);
    assert_eq!(body["max_tokens"], 8192);
    assert_eq!(body["messages"][0]["role"], "user");
    let repair = requests[2].json().unwrap();
    assert_eq!(repair["stream"], true);
    assert_eq!(repair["messages"][1]["role"], "assistant");
    assert_eq!(repair["messages"][1]["content"], PARTIAL);
}

#[tokio::test]
async fn anthropic_errors_are_typed() {
    let server = ScriptedServer::start([
        ScriptedResponse::json(
            529,
            &serde_json::json!({"type": "error", "error": {"type": "overloaded_error"}}),
        ),
        ScriptedResponse::json(200, &serde_json::json!({"type": "error", "error": {"type": "api_error"}})),
    ])
    .await
    .unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let options = RunOptions::default().retries(0);
    let error = dispatch().run(&client, options.clone()).await.unwrap_err();
    assert!(
        matches!(error.model_error(), Some(ModelError::Status { status: 529, body, .. }) if body.contains("overloaded"))
    );
    let error = dispatch().run(&client, options).await.unwrap_err();
    assert!(matches!(error.model_error(), Some(ModelError::InvalidResponse { .. })));
}

#[tokio::test]
async fn anthropic_replies_with_tool_calls_give_their_text_whole_and_streamed() {
    let blocks = || {
        [
            AnthropicBlock::text(FULL),
            AnthropicBlock::tool_use("toolu_1", "Read", serde_json::json!({"file_path": "/tmp/a"})),
        ]
    };
    let server = ScriptedServer::start([
        ScriptedResponse::anthropic_blocks(blocks(), "tool_use"),
        ScriptedResponse::anthropic_blocks_stream(blocks(), "tool_use"),
    ])
    .await
    .unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let dispatch = dispatch();
    let run = dispatch.run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.report.attempts[0].reply, FULL);
    assert_eq!(run.report.usage, Usage::new(12, words(FULL) + 1));
    let (events, error) = collect(dispatch.run_stream(&client, RunOptions::default())).await;
    assert!(error.is_none(), "{error:?}");
    let Some(RunEvent::Finished(streamed)) = events.last() else { panic!("not finished") };
    assert_eq!(streamed.report.attempts[0].reply, FULL);
    assert_eq!(streamed.report.attempts[0].finish_reason.as_deref(), Some("tool_use"));
    assert_eq!(streamed.report.usage, run.report.usage);
}

/// The task of a dispatch, read back from the prompt the server received.
fn task_of(request: &agentbind_run::scripted::RecordedRequest) -> String {
    let body = request.json().unwrap();
    let prompt = body["messages"][1]["content"].as_str().unwrap().to_owned();
    prompt.split("## Task Description\n\n").nth(1).unwrap().lines().next().unwrap().to_owned()
}

#[tokio::test]
async fn fan_out_keeps_input_order_limits_concurrency_and_keeps_every_error() {
    let server = ScriptedServer::with_handler(|request| {
        let task = task_of(request);
        // Later tasks answer sooner, so completion order is the reverse of input order.
        let n: u64 = task.trim_start_matches("task ").parse().unwrap();
        let delay = Duration::from_millis(20 * (8 - n));
        if n == 3 {
            return ScriptedResponse::status(500, "boom").delay(delay);
        }
        ScriptedResponse::openai(&FULL.replace("Added the endpoint.", &task)).delay(delay)
    })
    .await
    .unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let dispatches = (0..8).map(|n| {
        golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
            task_description: format!("task {n}"),
            requirements: "r".into(),
        }))
    });
    let results = run_all(&client, dispatches, RunOptions::default().repairs(0).retries(0), 3).await;
    assert_eq!(results.len(), 8);
    for (n, result) in results.iter().enumerate() {
        match result {
            Ok(run) => assert_eq!(run.output.summary.body, format!("task {n}")),
            Err(error) => {
                assert_eq!(n, 3);
                assert_eq!(
                    error.model_error(),
                    Some(&ModelError::Status { status: 500, body: "boom".into(), retry_after: None })
                );
            }
        }
    }
    assert!(results[3].is_err());
    assert_eq!(server.requests().len(), 8);
    assert!(server.max_in_flight() <= 3, "{} requests at once", server.max_in_flight());
    assert!(server.max_in_flight() >= 2, "the runs did not overlap");
}

#[tokio::test]
async fn a_run_past_its_time_limit_fails_with_timeout_and_keeps_its_attempts() {
    let (_server, client) = openai(vec![
        ScriptedResponse::openai(PARTIAL),
        ScriptedResponse::openai(FULL).delay(Duration::from_secs(30)),
    ])
    .await;
    let limit = Duration::from_millis(300);
    let error = dispatch().run(&client, RunOptions::default().timeout(limit)).await.unwrap_err();
    assert_eq!(error.kind, RunErrorKind::Timeout(limit));
    assert_eq!(error.report.attempts.len(), 1, "the refused first attempt is kept");
    assert!(error.to_string().contains("timed out"), "{error}");

    let (_server, client) =
        openai(vec![ScriptedResponse::openai_stream(FULL, 5).pause(Duration::from_secs(30))]).await;
    let (events, error) = collect(dispatch().run_stream(&client, RunOptions::default().timeout(limit))).await;
    assert_eq!(error.unwrap().kind, RunErrorKind::Timeout(limit));
    assert!(matches!(events.first(), Some(RunEvent::AttemptStarted { attempt: 1 })));
}

#[tokio::test]
async fn a_dropped_run_is_cancelled_and_the_client_stays_usable() {
    let (server, client) = openai(vec![
        ScriptedResponse::openai(FULL).delay(Duration::from_secs(30)),
        ScriptedResponse::openai(FULL),
    ])
    .await;
    let dispatch = dispatch();
    let cancelled =
        tokio::time::timeout(Duration::from_millis(200), dispatch.run(&client, RunOptions::default())).await;
    assert!(cancelled.is_err(), "the slow run was still pending");
    let run = dispatch.run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.report.attempts.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn value_sections_and_their_feedback() {
    let (server, client) = openai(vec![
        ScriptedResponse::openai("## VERDICT: MAYBE\n## Summary\nok\n"),
        ScriptedResponse::openai("## VERDICT: PASS\n## Summary\nok\n"),
    ])
    .await;
    let run =
        reviewer::Agent::dispatch(reviewer::Input::new()).run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.output.verdict.value, reviewer::Verdict::Pass);
    let body = server.requests()[0].json().unwrap();
    assert!(body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .contains("write exactly one of: PASS, FAIL, NEEDS_DISCUSSION"));
    let feedback =
        server.requests()[1].json().unwrap()["messages"][3]["content"].as_str().unwrap().to_owned();
    assert!(
        feedback.contains("has the value `MAYBE`; use exactly one of: PASS, FAIL, NEEDS_DISCUSSION"),
        "{feedback}"
    );
}

#[test]
fn the_blocking_wrapper_runs_without_an_async_caller() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(ScriptedServer::start([ScriptedResponse::openai(FULL)])).unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let run = agentbind_run::blocking::run(&dispatch(), &client, RunOptions::default()).unwrap();
    assert_eq!(run.output.files_changed.body, "- health.go");
}

#[tokio::test]
async fn a_constrained_run_sends_the_reply_grammar_and_says_so_in_the_report() {
    let (server, client) = openai(vec![
        ScriptedResponse::openai(FULL),
        ScriptedResponse::openai(FULL),
        ScriptedResponse::openai(FULL),
    ])
    .await;
    let dispatch = dispatch();
    let options = RunOptions::default().constrain(agentbind_run::Constraint::Grammar).max_tokens(1024);
    let run = dispatch.run(&client, options).await.unwrap();
    assert_eq!(run.report.attempts[0].constraint, agentbind_run::ConstraintMode::Grammar);
    let body = server.requests()[0].json().unwrap();
    let expected = dispatch
        .reply_grammar_with(agentbind::contract::GrammarLimits::default().within_tokens(1024))
        .unwrap();
    assert_eq!(body["grammar"], expected);
    // Auto sends it only to a client that says its server enforces grammars (to others, the
    // reply schema, when they take one).
    let auto = RunOptions::default().constrain(agentbind_run::Constraint::Auto);
    let no_schemas = client.clone().json_schemas(false);
    let run = dispatch.run(&no_schemas, auto.clone()).await.unwrap();
    assert_eq!(run.report.attempts[0].constraint, agentbind_run::ConstraintMode::Off);
    assert!(server.requests()[1].json().unwrap().get("grammar").is_none());
    let grammars = client.clone().grammars(true);
    dispatch.run(&grammars, auto).await.unwrap();
    assert_eq!(server.requests()[2].json().unwrap()["grammar"], dispatch.reply_grammar().unwrap());
}

#[tokio::test]
async fn backends_without_grammars_refuse_a_constrained_run() {
    let server = ScriptedServer::repeating(ScriptedResponse::anthropic(FULL)).await.unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let options = RunOptions::default().constrain(agentbind_run::Constraint::Grammar);
    let error = dispatch().run(&client, options).await.unwrap_err();
    assert!(
        matches!(error.model_error(), Some(ModelError::Config(m)) if m.contains("takes no grammar")),
        "{error}"
    );
    assert!(server.requests().is_empty());
    // Auto sends the reply schema there, which it takes.
    let schema_server = ScriptedServer::repeating(ScriptedResponse::anthropic(&full_json())).await.unwrap();
    let client = Anthropic::with_base_url(&schema_server.url(""), "k").unwrap();
    let run = dispatch()
        .run(&client, RunOptions::default().constrain(agentbind_run::Constraint::Auto))
        .await
        .unwrap();
    assert_eq!(run.report.attempts[0].constraint, agentbind_run::ConstraintMode::JsonSchema);
}

agentbind::registry!(pub Team = golang, reviewer);

#[tokio::test]
async fn a_routed_dispatch_runs_with_the_same_repairs_constraints_and_report() {
    let (server, client) =
        openai(vec![ScriptedResponse::openai(PARTIAL), ScriptedResponse::openai(FULL)]).await;
    let typed = dispatch();
    let call = typed.task_call("Add /health");
    let routed = Team.route(&call).unwrap();
    let options = RunOptions::default().repairs(1).constrain(agentbind_run::Constraint::Grammar);
    let run = agentbind_run::run_any(&routed, &client, options).await.unwrap();
    assert_eq!(run.output, routed.parse_reply(FULL).unwrap());
    assert_eq!(run.output["summary"]["body"], "Added the endpoint.");
    assert_eq!(run.report.agent, "backend-engineer-golang");
    assert_eq!(run.report.attempts.len(), 2);
    assert_eq!(run.report.attempts[0].constraint, agentbind_run::ConstraintMode::Grammar);
    let requests = server.requests();
    let first = requests[0].json().unwrap();
    assert_eq!(first["messages"][0]["content"], golang::Agent::SYSTEM_PROMPT);
    assert_eq!(first["messages"][1]["content"], typed.prompt_with_reply_format());
    assert_eq!(first["grammar"], typed.reply_grammar().unwrap());
    let second = requests[1].json().unwrap();
    assert_eq!(second["messages"][3]["content"], typed.parse_reply(PARTIAL).unwrap_err().feedback());
}
