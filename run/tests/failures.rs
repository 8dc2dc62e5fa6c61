//! Failed model calls against the scripted server: every kind of bad response, which are
//! retried and how long the run waits, the attempts they leave in the report, context
//! overflows as each server reports them, and the text of the errors.

use std::time::{Duration, Instant};

use agentbind_run::scripted::{llama_cpp_context_error, ScriptedResponse, ScriptedServer};
use agentbind_run::{
    Anthropic, ModelError, OpenAiCompatible, RunDispatch, RunError, RunErrorKind, RunEvent, RunOptions, Usage,
};
use futures_util::StreamExt;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

const FULL: &str = "## Summary\nAdded the endpoint.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\ngo test passes.\n\n## Next Steps\nNone.\n";
const PARTIAL: &str = "## Summary\nAdded the endpoint.\n";

fn dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health endpoint".into(),
        requirements: "Return 200".into(),
    }))
}

async fn openai(responses: Vec<ScriptedResponse>) -> (ScriptedServer, OpenAiCompatible) {
    let server = ScriptedServer::start(responses).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    (server, client)
}

/// Retries at once: the tests do not wait for the default backoff.
fn at_once() -> RunOptions {
    RunOptions::default().backoff(Duration::ZERO, Duration::from_secs(60))
}

/// A streaming run's events and its error, if any.
async fn collect(
    stream: impl futures_core::Stream<Item = Result<RunEvent<golang::Agent>, RunError>>,
) -> (Vec<RunEvent<golang::Agent>>, Option<RunError>) {
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

/// Runs the reference dispatch, without retries, against a server that plays `response`;
/// gives the model error.
async fn model_error(response: ScriptedResponse) -> agentbind_run::RunError {
    let (_server, client) = openai(vec![response]).await;
    dispatch().run(&client, RunOptions::default().retries(0)).await.unwrap_err()
}

#[tokio::test]
async fn http_errors_keep_status_and_body() {
    let error = model_error(ScriptedResponse::status(503, "model is loading")).await;
    assert_eq!(
        error.model_error(),
        Some(&ModelError::Status { status: 503, body: "model is loading".into(), retry_after: None })
    );
    assert_eq!(
        error.to_string(),
        "agent `backend-engineer-golang`: model call failed: HTTP status 503: model is loading"
    );
    let error =
        model_error(ScriptedResponse::json(401, &serde_json::json!({"error": {"message": "bad key"}}))).await;
    assert!(
        matches!(error.model_error(), Some(ModelError::Status { status: 401, body, .. }) if body.contains("bad key"))
    );
}

#[tokio::test]
async fn bodies_that_are_not_the_api_are_invalid_responses() {
    let error = model_error(ScriptedResponse::raw(200, "text/html", "<html>proxy</html>")).await;
    assert!(
        matches!(error.model_error(), Some(ModelError::InvalidResponse { body, .. }) if body == "<html>proxy</html>"),
        "{error}"
    );
    let error = model_error(ScriptedResponse::json(200, &serde_json::json!({"object": "list"}))).await;
    assert!(
        matches!(error.model_error(), Some(ModelError::InvalidResponse { message, .. }) if message.contains("choices")),
        "{error}"
    );
    assert!(error.to_string().contains("backend-engineer-golang"));
}

#[tokio::test]
async fn an_empty_reply_is_a_model_error() {
    let error = model_error(ScriptedResponse::openai("  \n")).await;
    let empty = ModelError::EmptyReply { finish_reason: Some("stop".into()) };
    assert_eq!(error.model_error(), Some(&empty));
    // The call is an attempt, with the tokens it cost.
    assert_eq!(error.report.attempts.len(), 1);
    assert_eq!(error.report.attempts[0].call_error, Some(empty));
    assert_eq!(error.report.attempts[0].reply, "  \n");
    assert_eq!(error.report.usage, Usage::new(12, 0));
}

#[tokio::test]
async fn a_reply_over_the_limit_is_refused() {
    let huge = "a".repeat(agentbind::MAX_REPLY_BYTES + 1);
    let error = model_error(ScriptedResponse::openai(&huge)).await;
    assert_eq!(error.model_error(), Some(&ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES }));
}

#[tokio::test]
async fn a_body_cut_short_is_a_stream_cut() {
    let error = model_error(ScriptedResponse::openai(FULL).cut_after(40)).await;
    assert!(matches!(error.model_error(), Some(ModelError::StreamCut { .. })), "{error}");
}

#[tokio::test]
async fn a_kept_alive_connection_closed_by_the_server_is_retried_once() {
    let (server, client) = openai(vec![
        ScriptedResponse::openai(FULL),
        ScriptedResponse::hang_up(),
        ScriptedResponse::openai(FULL),
        ScriptedResponse::hang_up(),
        ScriptedResponse::hang_up(),
    ])
    .await;
    dispatch().run(&client, RunOptions::default()).await.unwrap();
    // The second run's request goes out on the kept-alive connection, which the server drops.
    let run = dispatch().run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.report.attempts.len(), 1);
    assert_eq!(server.requests().len(), 3);
    // Only once: a server that keeps hanging up is an error (of the run, without its retries).
    let error = dispatch().run(&client, RunOptions::default().retries(0)).await.unwrap_err();
    assert!(matches!(error.model_error(), Some(ModelError::Unreachable { .. })), "{error}");
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn an_unreachable_server_is_reported_with_its_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let client = OpenAiCompatible::new(&url, "").unwrap();
    let options = RunOptions::default().backoff(Duration::ZERO, Duration::ZERO);
    let error = dispatch().run(&client, options).await.unwrap_err();
    let called = format!("{url}/chat/completions");
    match error.model_error() {
        Some(ModelError::Unreachable { url, .. }) => assert_eq!(url, &called),
        other => panic!("expected Unreachable, got {other:?}"),
    }
    // Tried three times (two retries), each call in the report with its error.
    assert_eq!(error.report.attempts.len(), 3);
    assert_eq!(error.report.retries(), 2);
    assert_eq!(error.report.repairs(), 0);
    assert!(error.report.failed_calls().all(|a| a.call_error.as_ref() == error.model_error()));
    // The message names the URL once: reqwest's own text names it too, and is cut.
    let text = error.to_string();
    assert!(
        text.starts_with("agent `backend-engineer-golang`: model call failed (3 attempts): cannot reach "),
        "{text}"
    );
    assert_eq!(text.matches(&called).count(), 1, "{text}");
    assert_eq!(text.matches(url.trim_start_matches("http://")).count(), 1, "{text}");
}

#[tokio::test]
async fn a_429_is_retried_after_the_wait_its_retry_after_asks_for() {
    // `Retry-After: 0` replaces the backoff (500 ms by default, so at least 250 ms).
    let (server, client) =
        openai(vec![ScriptedResponse::rate_limited("0"), ScriptedResponse::openai(FULL)]).await;
    let started = Instant::now();
    let run = dispatch().run(&client, RunOptions::default()).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(250), "{:?}", started.elapsed());
    let attempts = &run.report.attempts;
    assert_eq!(attempts.len(), 2);
    assert!(matches!(
        &attempts[0].call_error,
        Some(ModelError::Status { status: 429, body, retry_after: Some(Duration::ZERO) }) if body.contains("Rate limit")
    ));
    assert_eq!(attempts[0].error, None);
    assert_eq!(attempts[0].usage, Usage::default());
    assert_eq!((attempts[1].call_error.as_ref(), attempts[1].backoff), (None, Duration::ZERO));
    assert_eq!((run.report.retries(), run.report.repairs()), (1, 0));
    assert_eq!(run.report.failed_calls().count(), 1);
    // The same request went out twice.
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body);

    // `retry-after-ms` (OpenAI, Anthropic) in milliseconds: waited, without jitter.
    let (_server, client) = openai(vec![
        ScriptedResponse::rate_limited("1").header("retry-after-ms", "60"),
        ScriptedResponse::openai(FULL),
    ])
    .await;
    let run = dispatch().run(&client, at_once()).await.unwrap();
    assert_eq!(run.report.attempts[1].backoff, Duration::from_millis(60));
    assert!(run.report.latency >= Duration::from_millis(60), "{:?}", run.report.latency);
    assert!(run.report.latency >= run.report.attempts.iter().map(|a| a.latency + a.backoff).sum());
}

#[tokio::test]
async fn a_wait_longer_than_the_max_or_the_time_left_ends_the_run_at_once() {
    // An hour is over the default max of 60 s: not waited for.
    let (server, client) = openai(vec![ScriptedResponse::rate_limited("3600")]).await;
    let started = Instant::now();
    let error = dispatch().run(&client, RunOptions::default()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(error.model_error().and_then(ModelError::retry_after), Some(Duration::from_secs(3600)));
    assert_eq!((error.report.attempts.len(), server.requests().len()), (1, 1));

    // 30 s is within the max, but past the run's timeout: the error, not a timeout, at once.
    let (server, client) = openai(vec![ScriptedResponse::rate_limited("30")]).await;
    let started = Instant::now();
    let error = dispatch().run(&client, at_once().timeout(Duration::from_secs(10))).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(error.kind, RunErrorKind::Model(ModelError::Status { status: 429, .. })), "{error}");
    assert_eq!(server.requests().len(), 1);

    // The backoff's own max bounds the wait the server may ask for.
    let (server, client) = openai(vec![ScriptedResponse::rate_limited("2")]).await;
    let options = RunOptions::default().backoff(Duration::ZERO, Duration::from_secs(1));
    let error = dispatch().run(&client, options).await.unwrap_err();
    assert_eq!((error.report.attempts.len(), server.requests().len()), (1, 1));
}

#[tokio::test]
async fn a_503_is_retried_until_the_retries_run_out_and_the_error_keeps_every_call() {
    let server = ScriptedServer::repeating(ScriptedResponse::status(503, "loading model")).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let error = dispatch().run(&client, at_once().retries(3)).await.unwrap_err();
    assert_eq!(server.requests().len(), 4);
    let unavailable = ModelError::Status { status: 503, body: "loading model".into(), retry_after: None };
    assert_eq!(error.kind, RunErrorKind::Model(unavailable.clone()));
    assert_eq!(error.report.attempts.len(), 4);
    assert!(error
        .report
        .attempts
        .iter()
        .all(|a| a.call_error.as_ref() == Some(&unavailable) && a.error.is_none()));
    assert_eq!((error.report.retries(), error.report.repairs()), (3, 0));
    assert!(error.report.latency >= error.report.attempts.iter().map(|a| a.latency).sum());
    assert_eq!(
        error.to_string(),
        "agent `backend-engineer-golang`: model call failed (4 attempts): HTTP status 503: loading model"
    );

    // The default is two retries; none with `retries(0)`.
    let server = ScriptedServer::repeating(ScriptedResponse::status(502, "")).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    assert_eq!(RunOptions::default().retry_limit(), 2);
    dispatch().run(&client, at_once()).await.unwrap_err();
    assert_eq!(server.requests().len(), 3);
    let error = dispatch().run(&client, at_once().retries(0)).await.unwrap_err();
    assert_eq!((error.report.attempts.len(), server.requests().len()), (1, 4));
}

#[tokio::test]
async fn every_retried_status_is_retried_with_backoff() {
    for status in [408, 429, 500, 502, 503, 504, 529] {
        let (server, client) =
            openai(vec![ScriptedResponse::status(status, "busy"), ScriptedResponse::openai(FULL)]).await;
        let options = RunOptions::default().backoff(Duration::from_millis(8), Duration::from_millis(8));
        let run = dispatch().run(&client, options).await.unwrap();
        assert_eq!(server.requests().len(), 2, "{status}");
        // Jitter keeps the wait within the upper half of the backoff.
        let backoff = run.report.attempts[1].backoff;
        assert!(
            (Duration::from_millis(4)..=Duration::from_millis(8)).contains(&backoff),
            "{status}: {backoff:?}"
        );
    }
}

#[tokio::test]
async fn errors_that_would_come_again_are_not_retried() {
    let cases = [
        ScriptedResponse::status(400, "bad request"),
        ScriptedResponse::status(401, "bad key"),
        ScriptedResponse::status(403, "forbidden"),
        ScriptedResponse::status(404, "no such model"),
        ScriptedResponse::redirect(307, "http://127.0.0.1:9/v1/chat/completions"),
        ScriptedResponse::raw(200, "text/html", "<html>proxy</html>"),
        ScriptedResponse::openai_context_exceeded(9000, 8192),
    ];
    for response in cases {
        let (server, client) = openai(vec![response, ScriptedResponse::openai(FULL)]).await;
        let error = dispatch().run(&client, at_once().retries(5)).await.unwrap_err();
        assert_eq!(server.requests().len(), 1, "{error}");
        assert_eq!(error.report.attempts.len(), 1);
        assert_eq!(error.report.attempts[0].call_error.as_ref(), error.model_error());
        assert!(!error.model_error().unwrap().is_retryable());
    }
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    // A reset before any response.
    let (server, client) = openai(vec![ScriptedResponse::reset(), ScriptedResponse::openai(FULL)]).await;
    let run = dispatch().run(&client, at_once()).await.unwrap();
    assert_eq!(server.requests().len(), 2);
    assert!(
        matches!(&run.report.attempts[0].call_error, Some(ModelError::Unreachable { .. })),
        "{:?}",
        run.report.attempts[0].call_error
    );
    assert_eq!(run.report.attempts[1].call_error, None);

    // A body cut off in the middle.
    let (server, client) =
        openai(vec![ScriptedResponse::openai(FULL).cut_after(40), ScriptedResponse::openai(FULL)]).await;
    let run = dispatch().run(&client, at_once()).await.unwrap();
    assert_eq!(server.requests().len(), 2);
    assert!(matches!(&run.report.attempts[0].call_error, Some(ModelError::StreamCut { .. })));

    // A server that closes twice: the client's own resend on a new connection does not count,
    // the second close is a failed call, retried by the run.
    let (server, client) = openai(vec![
        ScriptedResponse::hang_up(),
        ScriptedResponse::hang_up(),
        ScriptedResponse::openai(FULL),
    ])
    .await;
    let run = dispatch().run(&client, at_once()).await.unwrap();
    assert_eq!(server.requests().len(), 3);
    assert_eq!((run.report.attempts.len(), run.report.retries()), (2, 1));
}

#[tokio::test]
async fn an_empty_reply_is_retried_and_its_tokens_are_kept() {
    let (_server, client) =
        openai(vec![ScriptedResponse::openai(" \n "), ScriptedResponse::openai(FULL)]).await;
    let run = dispatch().run(&client, at_once()).await.unwrap();
    let attempts = &run.report.attempts;
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].call_error, Some(ModelError::EmptyReply { finish_reason: Some("stop".into()) }));
    assert_eq!(attempts[0].usage.input_tokens, 12);
    assert_eq!(run.report.usage.input_tokens, 24, "the empty reply's prompt was paid for");
    assert_eq!(run.report.served_model(), Some("scripted-model"));
}

#[tokio::test]
async fn retries_and_repairs_are_counted_apart() {
    let (server, client) = openai(vec![
        ScriptedResponse::openai(PARTIAL),
        ScriptedResponse::status(500, "oops"),
        ScriptedResponse::openai(FULL),
    ])
    .await;
    let run = dispatch().run(&client, at_once().repairs(1).retries(1)).await.unwrap();
    let attempts = &run.report.attempts;
    assert_eq!(attempts.len(), 3);
    assert_eq!((run.report.repairs(), run.report.retries()), (1, 1));
    assert!(attempts[0].error.is_some() && attempts[0].call_error.is_none());
    assert!(
        attempts[1].error.is_none()
            && matches!(attempts[1].call_error, Some(ModelError::Status { status: 500, .. }))
    );
    assert!(attempts[2].error.is_none() && attempts[2].call_error.is_none());
    // The retry re-sends the repair request: the same conversation, once more.
    let feedback = dispatch().parse_reply(PARTIAL).unwrap_err().feedback();
    assert_eq!(
        (attempts[1].request.as_str(), attempts[2].request.as_str()),
        (feedback.as_str(), feedback.as_str())
    );
    let requests = server.requests();
    assert_eq!(requests[1].body, requests[2].body);
    assert_eq!(requests[2].json().unwrap()["messages"].as_array().unwrap().len(), 4);

    // With no retry left, the 500 ends the run even though a repair is.
    let (_server, client) = openai(vec![
        ScriptedResponse::openai(PARTIAL),
        ScriptedResponse::status(500, "oops"),
        ScriptedResponse::openai(FULL),
    ])
    .await;
    let error = dispatch().run(&client, at_once().repairs(3).retries(0)).await.unwrap_err();
    assert!(matches!(error.model_error(), Some(ModelError::Status { status: 500, .. })));
    assert_eq!((error.report.attempts.len(), error.report.repairs(), error.report.retries()), (2, 1, 0));

    // A failed call does not use a repair: one repair, and a 500 between the two replies.
    let (_server, client) = openai(vec![
        ScriptedResponse::openai(PARTIAL),
        ScriptedResponse::status(500, "oops"),
        ScriptedResponse::openai(PARTIAL),
    ])
    .await;
    let error = dispatch().run(&client, at_once().repairs(1).retries(1)).await.unwrap_err();
    assert!(error.reply_error().is_some(), "{error}");
    assert_eq!((error.report.attempts.len(), error.report.repairs(), error.report.retries()), (3, 1, 1));
}

#[tokio::test]
async fn each_servers_context_overflow_is_a_typed_error_with_the_sizes() {
    let (_server, client) = openai(vec![ScriptedResponse::llama_cpp_context_exceeded(13392, 8192)]).await;
    let error = dispatch().run(&client, at_once()).await.unwrap_err();
    assert_eq!(
        error.model_error(),
        Some(&ModelError::ContextExceeded {
            requested_tokens: Some(13392),
            context_tokens: Some(8192),
            message:
                "request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it"
                    .into(),
        })
    );
    assert_eq!(error.report.attempts.len(), 1, "not retried");
    assert_eq!(
        error.to_string(),
        "agent `backend-engineer-golang`: model call failed: the request does not fit in the model's context \
         (13392 tokens > 8192): request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it"
    );

    let (_server, client) = openai(vec![ScriptedResponse::openai_context_exceeded(8227, 8192)]).await;
    let error = dispatch().run(&client, at_once()).await.unwrap_err();
    assert!(matches!(
        error.model_error(),
        Some(ModelError::ContextExceeded { requested_tokens: Some(8227), context_tokens: Some(8192), message })
            if message.starts_with("This model's maximum context length is 8192 tokens")
    ));

    let server = ScriptedServer::start([ScriptedResponse::anthropic_context_exceeded(210_000, 200_000)])
        .await
        .unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let error = dispatch().run(&client, at_once()).await.unwrap_err();
    assert!(matches!(
        error.model_error(),
        Some(ModelError::ContextExceeded { requested_tokens: Some(210_000), context_tokens: Some(200_000), message })
            if message == "prompt is too long: 210000 tokens > 200000 maximum"
    ));
    assert!(error.to_string().contains("(210000 tokens > 200000)"), "{error}");

    // Streamed: llama.cpp's error event, once the response has started.
    let event = format!("data: {}\n\n", llama_cpp_context_error(5000, 4096));
    let (server, client) = openai(vec![ScriptedResponse::event_stream(vec![event.into_bytes()])]).await;
    let (_, error) = collect(dispatch().run_stream(&client, at_once())).await;
    let error = error.unwrap();
    assert!(matches!(
        error.model_error(),
        Some(ModelError::ContextExceeded { requested_tokens: Some(5000), context_tokens: Some(4096), .. })
    ));
    assert_eq!(server.requests().len(), 1);
    // Streamed from Anthropic: the 400 comes before the stream.
    let server =
        ScriptedServer::start([ScriptedResponse::anthropic_context_exceeded(300, 200)]).await.unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let (events, error) = collect(dispatch().run_stream(&client, at_once())).await;
    assert!(events.is_empty());
    assert!(matches!(
        error.unwrap().model_error(),
        Some(ModelError::ContextExceeded { requested_tokens: Some(300), .. })
    ));
}

#[tokio::test]
async fn control_characters_of_a_response_are_escaped_in_every_error_message() {
    let hostile = "too long\x1b]0;pwned\x07\x1b[2J";
    let body = serde_json::json!({"error": {"message": hostile, "code": "context_length_exceeded"}});
    let (_server, client) = openai(vec![ScriptedResponse::json(400, &body)]).await;
    let error = dispatch().run(&client, at_once()).await.unwrap_err();
    assert!(
        matches!(error.model_error(), Some(ModelError::ContextExceeded { message, .. }) if message == hostile)
    );
    let text = error.to_string();
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.ends_with(r"context: too long\u{1b}]0;pwned\u{7}\u{1b}[2J"), "{text}");

    // A stream event that is not JSON, and a 429's body.
    let event = format!("data: {hostile}\n\n");
    let (_server, client) = openai(vec![ScriptedResponse::event_stream(vec![event.into_bytes()])]).await;
    let (_, error) = collect(dispatch().run_stream(&client, at_once())).await;
    let text = error.unwrap().to_string();
    assert!(!text.contains('\x1b') && text.contains(r"(body starts: too long\u{1b}]0;pwned"), "{text}");
    let (_server, client) = openai(vec![ScriptedResponse::status(429, hostile)]).await;
    let text = dispatch().run(&client, at_once().retries(0)).await.unwrap_err().to_string();
    assert!(
        !text.contains('\x1b') && text.ends_with(r"HTTP status 429: too long\u{1b}]0;pwned\u{7}\u{1b}[2J"),
        "{text}"
    );
}

#[tokio::test]
async fn streaming_retries_a_call_that_failed_before_its_text() {
    let (server, client) = openai(vec![
        ScriptedResponse::status(503, "busy").header("retry-after-ms", "5"),
        ScriptedResponse::openai_stream(" \n", 1),
        ScriptedResponse::openai_stream(FULL, 12),
    ])
    .await;
    let (events, error) = collect(dispatch().run_stream(&client, at_once())).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(server.requests().len(), 3);
    let mut events = events.into_iter();
    assert!(matches!(
        events.next(),
        Some(RunEvent::Retrying { attempt: 1, error: ModelError::Status { status: 503, .. }, wait })
            if wait == Duration::from_millis(5)
    ));
    // The empty reply gave no text: it is retried too.
    assert!(matches!(events.next(), Some(RunEvent::AttemptStarted { attempt: 2 })));
    assert!(matches!(
        events.next(),
        Some(RunEvent::Retrying { attempt: 2, error: ModelError::EmptyReply { .. }, wait: Duration::ZERO })
    ));
    assert!(matches!(events.next(), Some(RunEvent::AttemptStarted { attempt: 3 })));
    let rest: Vec<_> = events.collect();
    let text: String =
        rest.iter().filter_map(|e| if let RunEvent::Text(t) = e { Some(t.as_str()) } else { None }).collect();
    assert_eq!(text, FULL);
    let Some(RunEvent::Finished(run)) = rest.last() else { panic!("not finished") };
    assert_eq!(run.report.attempts.len(), 3);
    assert_eq!(run.report.retries(), 2);
    assert_eq!(run.report.attempts[1].backoff, Duration::from_millis(5));
    assert_eq!(run.report.attempts[1].reply, " \n");
    assert_eq!(run.report.attempts[1].usage.input_tokens, 12);
}

#[tokio::test]
async fn streaming_does_not_retry_once_text_was_given() {
    // Five events of text (into `## Implementation`), then the connection closes.
    let events = (0..5)
        .map(|i| {
            let piece = serde_json::json!(&FULL[i * 10..i * 10 + 10]);
            format!("data: {{\"choices\":[{{\"delta\":{{\"content\":{piece}}}}}]}}\n\n").into_bytes()
        })
        .collect();
    let stream = ScriptedResponse::openai_stream(FULL, 12);
    let (server, client) = openai(vec![ScriptedResponse::event_stream(events), stream]).await;
    let (events, error) = collect(dispatch().run_stream(&client, at_once().retries(3))).await;
    let error = error.unwrap();
    assert!(matches!(error.model_error(), Some(ModelError::StreamCut { .. })), "{error}");
    assert_eq!(server.requests().len(), 1);
    assert!(!events.iter().any(|e| matches!(e, RunEvent::Retrying { .. })));
    let text: String = events
        .iter()
        .filter_map(|e| if let RunEvent::Text(t) = e { Some(t.as_str()) } else { None })
        .collect();
    assert_eq!(text, FULL[..50]);
    // The failed call is in the report with the text that arrived.
    let attempt = &error.report.attempts[0];
    assert_eq!((attempt.reply.as_str(), attempt.call_error.as_ref()), (text.as_str(), error.model_error()));
}
