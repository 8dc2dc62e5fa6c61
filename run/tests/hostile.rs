//! Hostile endpoints (issue 19): redirects that would carry the key and the prompt away,
//! clients whose `Debug` would print the key, servers that stall or dribble, and token counts
//! that would overflow. Each test fails without its fix.

use std::time::Duration;

use agentbind_run::scripted::{ScriptedResponse, ScriptedServer};
use agentbind_run::{
    Anthropic, ModelError, OpenAiCompatible, RunDispatch, RunEvent, RunOptions, Usage,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
};
use futures_util::StreamExt;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

const FULL: &str = "## Summary\nAdded the endpoint.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\ngo test passes.\n\n## Next Steps\nNone.\n";

fn dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health endpoint".into(),
        requirements: "Return 200".into(),
    }))
}

/// A server that would record whatever a followed redirect sends it.
async fn elsewhere() -> ScriptedServer {
    ScriptedServer::repeating(ScriptedResponse::anthropic(FULL)).await.unwrap()
}

#[tokio::test]
async fn anthropic_does_not_follow_a_redirect_with_its_key_and_prompt() {
    for status in [301, 302, 303, 307, 308] {
        let target = elsewhere().await;
        let location = target.url("/v1/messages");
        let server = ScriptedServer::start([ScriptedResponse::redirect(status, &location)]).await.unwrap();
        let client = Anthropic::with_base_url(&server.url(""), "sk-ant-secret").unwrap();
        let error = dispatch().run(&client, RunOptions::default().repairs(0)).await.unwrap_err();
        assert_eq!(
            error.model_error(),
            Some(&ModelError::Redirected { status, location: Some(location.clone()) }),
            "{status}"
        );
        assert!(error.to_string().contains(&location), "{error}");
        assert!(target.requests().is_empty(), "{status}: the redirect was followed");
        assert_eq!(server.requests()[0].header("x-api-key"), Some("sk-ant-secret"));
    }
}

#[tokio::test]
async fn openai_compatible_does_not_follow_a_redirect_with_its_body_and_headers() {
    let target = elsewhere().await;
    let location = target.url("/v1/chat/completions");
    let server = ScriptedServer::start([ScriptedResponse::redirect(307, &location)]).await.unwrap();
    let client =
        OpenAiCompatible::new(&server.url("/v1"), "sk-secret").unwrap().header("api-key", "azure-secret");
    let error = dispatch().run(&client, RunOptions::default().repairs(0)).await.unwrap_err();
    assert_eq!(error.model_error(), Some(&ModelError::Redirected { status: 307, location: Some(location) }));
    assert!(target.requests().is_empty(), "the redirect was followed");
    // A redirect without a Location is refused too.
    let server = ScriptedServer::start([ScriptedResponse::raw(302, "text/plain", "")]).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let error = dispatch().run(&client, RunOptions::default().repairs(0)).await.unwrap_err();
    assert_eq!(error.model_error(), Some(&ModelError::Redirected { status: 302, location: None }));
}

#[test]
fn debug_output_of_the_clients_redacts_keys_and_header_values() {
    let openai = OpenAiCompatible::new("http://127.0.0.1:9/v1", "sk-secret")
        .unwrap()
        .header("api-key", "azure-secret")
        .header("HTTP-Referer", "https://example.invalid/app");
    let text = format!("{openai:?}");
    assert!(
        !text.contains("sk-secret") && !text.contains("azure-secret") && !text.contains("example.invalid"),
        "{text}"
    );
    assert!(
        text.contains("[redacted]") && text.contains("api-key") && text.contains("127.0.0.1:9"),
        "{text}"
    );
    assert!(format!("{:?}", OpenAiCompatible::new("http://127.0.0.1:9/v1", "").unwrap())
        .contains(r#"api_key: """#));

    let anthropic = Anthropic::with_base_url("http://127.0.0.1:9", "sk-ant-secret").unwrap();
    let text = format!("{anthropic:#?}");
    assert!(!text.contains("sk-ant-secret"), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
}

#[test]
fn default_timeouts_are_the_documented_ones() {
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(DEFAULT_IDLE_TIMEOUT, Duration::from_secs(600));
    let text = format!("{:?}", OpenAiCompatible::new("http://127.0.0.1:9/v1", "").unwrap());
    assert!(text.contains("connect_timeout: 10s") && text.contains("idle_timeout: 600s"), "{text}");
}

const IDLE: Duration = Duration::from_millis(300);

async fn openai_with_idle(responses: Vec<ScriptedResponse>) -> (ScriptedServer, OpenAiCompatible) {
    let server = ScriptedServer::start(responses).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap().idle_timeout(IDLE);
    (server, client)
}

/// Runs `dispatch()` with no repairs and no whole-run timeout, giving up (and failing the
/// test) only if the client itself never gives up.
async fn model_error_of(client: &OpenAiCompatible, stream: bool) -> ModelError {
    let run = async {
        if stream {
            let dispatch = dispatch();
            let mut events = std::pin::pin!(dispatch.run_stream(client, RunOptions::default().repairs(0)));
            while let Some(event) = events.next().await {
                match event {
                    Ok(RunEvent::Finished(_)) => panic!("the run finished"),
                    Ok(_) => {}
                    Err(error) => return error,
                }
            }
            panic!("the stream ended without an error");
        }
        dispatch().run(client, RunOptions::default().repairs(0)).await.unwrap_err()
    };
    let error = tokio::time::timeout(Duration::from_secs(20), run).await.expect("the client never gave up");
    error.model_error().cloned().unwrap_or_else(|| panic!("not a model error: {error}"))
}

#[tokio::test]
async fn a_stream_of_keep_alive_comments_stalls_after_the_idle_timeout() {
    let comments = vec![b": keep-alive\n\n".to_vec(); 2_000];
    let (_server, client) =
        openai_with_idle(vec![ScriptedResponse::event_stream(comments).pause(Duration::from_millis(10))])
            .await;
    let error = model_error_of(&client, true).await;
    assert!(matches!(error, ModelError::Stalled { limit: IDLE, received } if received > 0), "{error:?}");
    assert!(error.to_string().contains("no progress for 300ms"), "{error}");
}

#[tokio::test]
async fn a_server_that_sends_one_byte_at_a_time_stalls() {
    // A whole body, one byte every 50 ms: the body must be complete within the idle timeout.
    let dribble = ScriptedResponse::openai(FULL).in_pieces(1).pause(Duration::from_millis(50));
    let (_server, client) = openai_with_idle(vec![dribble]).await;
    assert!(matches!(model_error_of(&client, false).await, ModelError::Stalled { limit: IDLE, .. }));
    // A stream, one byte every 50 ms: no event completes within the idle timeout.
    let dribble = ScriptedResponse::openai_stream(FULL, 40).in_pieces(1).pause(Duration::from_millis(50));
    let (_server, client) = openai_with_idle(vec![dribble]).await;
    assert!(matches!(model_error_of(&client, true).await, ModelError::Stalled { limit: IDLE, .. }));
}

#[tokio::test]
async fn no_response_head_within_the_idle_timeout_stalls() {
    let (_server, client) =
        openai_with_idle(vec![ScriptedResponse::openai(FULL).delay(Duration::from_secs(30))]).await;
    assert_eq!(model_error_of(&client, false).await, ModelError::Stalled { limit: IDLE, received: 0 });
}

#[tokio::test]
async fn a_slow_stream_that_keeps_making_progress_is_not_stalled() {
    // 15 events, 100 ms apart: 1.5 s in all, but never 300 ms without a chunk.
    let slow = ScriptedResponse::openai_stream(FULL, 10).pause(Duration::from_millis(100));
    let (_server, client) = openai_with_idle(vec![slow]).await;
    let dispatch = dispatch();
    let mut events = std::pin::pin!(dispatch.run_stream(&client, RunOptions::default().repairs(0)));
    let mut finished = false;
    while let Some(event) = events.next().await {
        finished |= matches!(event.unwrap(), RunEvent::Finished(_));
    }
    assert!(finished);
}

#[tokio::test]
async fn token_counts_from_the_server_saturate_instead_of_overflowing() {
    let max = serde_json::json!({
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "## Summary\nonly"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": u64::MAX, "completion_tokens": u64::MAX},
    });
    let server = ScriptedServer::repeating(ScriptedResponse::json(200, &max)).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let error = dispatch().run(&client, RunOptions::default().repairs(2)).await.unwrap_err();
    assert_eq!(error.report.attempts.len(), 3);
    assert_eq!(error.report.usage, Usage::new(u64::MAX, u64::MAX));
    assert_eq!(error.report.usage.total(), u64::MAX);

    // Streamed: Anthropic's message_start and message_delta counts, summed per chunk.
    let events: Vec<Vec<u8>> = [
        ("message_start", serde_json::json!({"type": "message_start", "message": {"model": "m", "usage": {"input_tokens": u64::MAX, "output_tokens": u64::MAX}}})),
        ("content_block_delta", serde_json::json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": FULL}})),
        ("message_delta", serde_json::json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": u64::MAX}})),
        ("message_stop", serde_json::json!({"type": "message_stop"})),
    ]
    .iter()
    .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n").into_bytes())
    .collect();
    let server = ScriptedServer::repeating(ScriptedResponse::event_stream(events)).await.unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let dispatch = dispatch();
    let mut stream = std::pin::pin!(dispatch.run_stream(&client, RunOptions::default()));
    let mut usage = None;
    while let Some(event) = stream.next().await {
        if let RunEvent::Finished(run) = event.unwrap() {
            usage = Some(run.report.usage);
        }
    }
    assert_eq!(usage, Some(Usage::new(u64::MAX, u64::MAX)));
}

#[test]
fn usage_sums_saturate() {
    let mut usage = Usage::new(u64::MAX - 1, 5);
    usage += Usage::new(10, u64::MAX);
    assert_eq!(usage, Usage::new(u64::MAX, u64::MAX));
    assert_eq!(Usage::new(u64::MAX, 1).total(), u64::MAX);
}

#[tokio::test]
async fn control_characters_from_a_server_are_escaped_in_error_messages() {
    let (_server, client) =
        openai_with_idle(vec![ScriptedResponse::status(500, "bad\x1b]0;pwned\x07\x1b[2J end")]).await;
    let error = dispatch().run(&client, RunOptions::default().repairs(0).retries(0)).await.unwrap_err();
    let text = error.to_string();
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.contains(r"bad\u{1b}]0;pwned\u{7}\u{1b}[2J end"), "{text}");
    // The body itself is kept as the server sent it.
    assert!(matches!(error.model_error(), Some(ModelError::Status { body, .. }) if body.contains('\x1b')));
}
