//! Batches through OpenAI's Batch API and Anthropic's Message Batches against the scripted
//! server: typed results in input order, custom_ids, repair batches, expired, failed and
//! canceled requests, resume by id, progress while polling, 10,000 dispatches; and progress
//! of `run_all`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use agentbind_run::batch::{
    resume_batch, run_batch, run_batch_with_progress, Batch, BatchId, BatchOptions, BatchProgress,
};
use agentbind_run::scripted::{
    BatchApi, BatchReply, BatchRequest, BatchScript, ScriptedResponse, ScriptedServer,
};
use agentbind_run::{
    run_all_with_progress, Anthropic, ConstraintMode, ModelError, OpenAiCompatible, Progress, RunErrorKind,
    RunOptions, Usage,
};

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

type Dispatch = agentbind::Dispatch<golang::Agent>;

const PARTIAL: &str = "## Summary\nOnly this.\n";

/// A reply that meets the contract, whose summary names dispatch `n`.
fn full(n: &str) -> String {
    format!("## Summary\nDone {n}.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\nok\n\n## Next Steps\nNone.\n")
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

fn dispatches(count: usize) -> Vec<Dispatch> {
    (0..count)
        .map(|n| {
            golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
                task_description: format!("task {n} end"),
                requirements: "Return 200".into(),
            }))
        })
        .collect()
}

/// The `n` of the `task {n} end` that a conversation's first message holds (its last
/// message, in a first request).
fn task(message: &str) -> String {
    message.split("task ").nth(1).and_then(|rest| rest.split(' ').next()).unwrap_or("?").to_owned()
}

fn fast() -> BatchOptions {
    BatchOptions::default().poll_interval(Duration::from_millis(1))
}

async fn openai(script: BatchScript) -> (ScriptedServer, OpenAiCompatible) {
    let server = ScriptedServer::batches(script).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "secret").unwrap().with_model("local-model");
    (server, client)
}

async fn anthropic(script: BatchScript) -> (ScriptedServer, Anthropic) {
    let server = ScriptedServer::batches(script).await.unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "secret").unwrap();
    (server, client)
}

/// Replies meeting the contract to every first request, naming its task; and the custom_ids
/// seen.
fn replying() -> (BatchScript, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let script = BatchScript::new(move |request: &BatchRequest| {
        log.lock().unwrap().push(request.custom_id.to_owned());
        BatchReply::text(&full(&task(request.last_message)))
    });
    (script, seen)
}

#[tokio::test]
async fn openai_batches_give_typed_results_in_input_order() {
    let (script, seen) = replying();
    let (server, client) = openai(script).await;
    let dispatches = dispatches(5);
    let results = run_batch(&client, &dispatches, RunOptions::default(), fast()).await;
    assert_eq!(results.len(), 5);
    for (n, result) in results.iter().enumerate() {
        let run = result.as_ref().unwrap();
        assert_eq!(run.output.summary.body, format!("Done {n}."), "the output file is in reverse order");
        let report = &run.report;
        assert_eq!(
            (report.agent.as_str(), report.backend.as_str()),
            ("backend-engineer-golang", "openai-compatible")
        );
        assert_eq!(report.model.as_deref(), Some("local-model"));
        assert_eq!(report.attempts.len(), 1);
        assert_eq!(report.attempts[0].request, dispatches[n].prompt_with_reply_format());
        assert_eq!(report.attempts[0].constraint, ConstraintMode::Off);
        assert_eq!(report.served_model(), Some("scripted-model"));
        assert_eq!(report.usage, Usage::new(12, words(&full(&n.to_string()))));
    }
    let seen = seen.lock().unwrap().clone();
    for (n, id) in seen.iter().enumerate() {
        assert!(id.starts_with(&format!("backend-engineer-golang-{n}-r0-")), "{id}");
        assert!(id.len() <= 64);
    }
    let calls: Vec<(String, String)> = server.requests().into_iter().map(|r| (r.method, r.path)).collect();
    let call = |m: &str, p: &str| (m.to_owned(), p.to_owned());
    assert_eq!(
        calls,
        [
            call("POST", "/v1/files"),
            call("POST", "/v1/batches"),
            call("GET", "/v1/batches/batch_0"),
            call("GET", "/v1/batches/batch_0"),
            call("GET", "/v1/batches/batch_0"),
            call("GET", "/v1/files/file-out-batch_0/content"),
        ]
    );
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.header("authorization") == Some("Bearer secret")));
    let created = requests[1].json().unwrap();
    assert_eq!(created["endpoint"], "/v1/chat/completions");
    assert_eq!(created["completion_window"], "24h");
    assert_eq!(created["input_file_id"], "file-0");
}

#[tokio::test]
async fn anthropic_batches_give_typed_results_in_input_order() {
    let (script, seen) = replying();
    let (server, client) = anthropic(script).await;
    let dispatches = dispatches(4);
    let results = run_batch(&client, &dispatches, RunOptions::default().max_tokens(900), fast()).await;
    for (n, result) in results.iter().enumerate() {
        let run = result.as_ref().unwrap();
        assert_eq!(run.output.summary.body, format!("Done {n}."));
        assert_eq!(run.report.backend, "anthropic");
        assert_eq!(run.report.model.as_deref(), Some("claude-opus-4-1"));
        assert_eq!(run.report.served_model(), Some("scripted-claude"));
        assert_eq!(run.report.attempts[0].finish_reason.as_deref(), Some("end_turn"));
    }
    assert_eq!(seen.lock().unwrap().len(), 4);
    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v1/messages/batches",
            "/v1/messages/batches/msgbatch_0",
            "/v1/messages/batches/msgbatch_0",
            "/v1/messages/batches/msgbatch_0",
            "/v1/messages/batches/msgbatch_0/results",
        ]
    );
    assert!(requests.iter().all(|r| r.header("x-api-key") == Some("secret")));
    assert!(requests.iter().all(|r| r.header("anthropic-version") == Some("2023-06-01")));
}

/// Breaks the contract in the first round for dispatch 1, then meets it; the requests of
/// repair rounds are logged.
/// The repair requests a server received: the number of messages and the last one.
type Repairs = Arc<Mutex<Vec<(usize, String)>>>;

fn repairing() -> (BatchScript, Repairs) {
    let repairs = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&repairs);
    let script = BatchScript::new(move |request: &BatchRequest| {
        if request.messages > 1 {
            log.lock().unwrap().push((request.messages, request.last_message.to_owned()));
            return BatchReply::text(&full("after repair"));
        }
        match task(request.last_message).as_str() {
            "1" => BatchReply::text(PARTIAL),
            n => BatchReply::text(&full(n)),
        }
    });
    (script, repairs)
}

#[tokio::test]
async fn replies_that_break_the_contract_go_into_a_repair_batch() {
    for api in [BatchApi::OpenAi, BatchApi::Anthropic] {
        let (script, repairs) = repairing();
        let dispatches = dispatches(3);
        let results = match api {
            BatchApi::OpenAi => {
                run_batch(&openai(script.clone()).await.1, &dispatches, RunOptions::default(), fast()).await
            }
            _ => run_batch(&anthropic(script).await.1, &dispatches, RunOptions::default(), fast()).await,
        };
        let repaired = results[1].as_ref().unwrap();
        assert_eq!(repaired.output.summary.body, "Done after repair.");
        assert_eq!(repaired.report.attempts.len(), 2);
        assert_eq!(repaired.report.attempts[0].reply, PARTIAL);
        let feedback = dispatches[1].parse_reply(PARTIAL).unwrap_err().feedback();
        assert_eq!(repaired.report.attempts[1].request, feedback);
        assert!(repaired.report.attempts[0].error.as_ref().unwrap().missing_sections().count() > 0);
        assert_eq!(repaired.report.usage.input_tokens, 24);
        assert_eq!(results[0].as_ref().unwrap().report.attempts.len(), 1);
        assert_eq!(results[2].as_ref().unwrap().output.summary.body, "Done 2.");
        assert_eq!(*repairs.lock().unwrap(), [(3, feedback)], "{api:?}: the conversation and the feedback");
    }
}

#[tokio::test]
async fn when_repairs_run_out_the_error_keeps_every_attempt() {
    let (_server, client) = openai(BatchScript::new(|_: &BatchRequest| BatchReply::text(PARTIAL))).await;
    let results = run_batch(&client, &dispatches(2), RunOptions::default().repairs(2), fast()).await;
    for result in results {
        let error = result.unwrap_err();
        assert!(matches!(error.kind, RunErrorKind::Reply(_)));
        assert_eq!(error.report.attempts.len(), 3);
        assert_eq!(error.reply_error().unwrap().reply(), Some(PARTIAL));
    }
}

/// Dispatch 0 is answered, 1 expires, 2 fails with a status, 3 is canceled.
fn mixed() -> BatchScript {
    BatchScript::new(|request: &BatchRequest| match task(request.last_message).as_str() {
        "1" => BatchReply::Expired,
        "2" => BatchReply::Error { status: 429, message: "rate limited\u{1b}[31m".into() },
        "3" => BatchReply::Canceled,
        n => BatchReply::text(&full(n)),
    })
}

#[tokio::test]
async fn expired_failed_and_canceled_requests_are_typed_errors() {
    let dispatches = dispatches(4);
    let (server, client) = openai(mixed()).await;
    let results = run_batch(&client, &dispatches, RunOptions::default(), fast()).await;
    assert_eq!(results[0].as_ref().unwrap().output.summary.body, "Done 0.");
    let error = |n: usize| results[n].as_ref().unwrap_err().model_error().cloned();
    assert_eq!(error(1), Some(ModelError::BatchExpired { batch: "batch_0".into() }));
    assert_eq!(
        error(2),
        Some(ModelError::BatchRequestFailed {
            batch: "batch_0".into(),
            status: Some(429),
            message: "rate limited\u{1b}[31m".into()
        })
    );
    assert_eq!(error(3), Some(ModelError::BatchCanceled { batch: "batch_0".into() }));
    let shown = results[2].as_ref().unwrap_err().to_string();
    assert!(
        shown.contains("HTTP status 429: rate limited\\u{1b}[31m"),
        "control characters escaped: {shown}"
    );
    assert!(results[1].as_ref().unwrap_err().report.attempts.is_empty());
    let polls = server.requests().into_iter().filter(|r| r.path == "/v1/batches/batch_0").count();
    assert_eq!(polls, 3);
    assert!(server.requests().iter().any(|r| r.path == "/v1/files/file-err-batch_0/content"));

    let (_server, client) = anthropic(mixed()).await;
    let results = run_batch(&client, &dispatches, RunOptions::default(), fast()).await;
    assert!(results[0].is_ok());
    let error = |n: usize| results[n].as_ref().unwrap_err().model_error().cloned();
    assert_eq!(error(1), Some(ModelError::BatchExpired { batch: "msgbatch_0".into() }));
    assert!(
        matches!(error(2), Some(ModelError::BatchRequestFailed { status: None, message, .. }) if message == "invalid_request_error: rate limited\u{1b}[31m")
    );
    assert_eq!(error(3), Some(ModelError::BatchCanceled { batch: "msgbatch_0".into() }));
}

#[tokio::test]
async fn a_batch_that_fails_validation_fails_its_dispatches() {
    let (script, _) = replying();
    let (_server, client) = openai(script.fail_batch(1, "line 3: bad model")).await;
    let options = fast().max_dispatches_per_batch(2);
    let results = run_batch(&client, &dispatches(4), RunOptions::default(), options).await;
    assert!(results[0].is_ok() && results[1].is_ok());
    for result in &results[2..] {
        let error = result.as_ref().unwrap_err().model_error().cloned();
        assert_eq!(
            error,
            Some(ModelError::BatchRequestFailed {
                batch: "batch_1".into(),
                status: None,
                message: "line 3: bad model".into()
            })
        );
    }
}

#[tokio::test]
async fn a_batch_resumes_by_id_after_a_restart() {
    let (script, _) = replying();
    let (server, client) = openai(script).await;
    let dispatches = dispatches(3);
    let stored = {
        let batch = Batch::submit(&client, &dispatches, RunOptions::default(), fast()).await.unwrap();
        batch.id().to_string()
    }; // the orchestrator stops here
    assert_eq!(stored, "agentbind-batch/1/openai/3/batch_0:0-3");
    let id: BatchId = stored.parse().unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "secret").unwrap().with_model("local-model");
    let results =
        resume_batch(&client, &id, &dispatches, RunOptions::default(), fast(), |_: &BatchProgress| {}).await;
    for (n, result) in results.into_iter().enumerate() {
        assert_eq!(result.unwrap().output.summary.body, format!("Done {n}."));
    }

    // Another number of dispatches, or another backend, is refused.
    let wrong =
        resume_batch(&client, &id, &dispatches[..2], RunOptions::default(), fast(), |_: &BatchProgress| {})
            .await;
    assert!(matches!(wrong[0].as_ref().unwrap_err().model_error(), Some(ModelError::Config(_))));
    let other = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    assert!(Batch::resume(&other, &id, &dispatches, RunOptions::default(), fast()).is_err());
}

#[tokio::test]
async fn a_batch_resumes_in_its_repair_round() {
    let (script, repairs) = repairing();
    let (server, client) = anthropic(script.polls(3)).await;
    let dispatches = dispatches(3);
    // The orchestrator stores the id it is given, and stops once the repair round is under way.
    let stored = Mutex::new(String::new());
    let in_repair = tokio::sync::Notify::new();
    let batch = Batch::submit(&client, &dispatches, RunOptions::default(), fast()).await.unwrap();
    let progress = |p: &BatchProgress| {
        *stored.lock().unwrap() = p.id.to_string();
        if p.round == 1 {
            in_repair.notify_one();
        }
    };
    tokio::select! {
        _ = batch.wait(progress) => panic!("the batch ended before its repair round"),
        () = in_repair.notified() => {}
    }
    let id: BatchId = stored.lock().unwrap().parse().unwrap();
    assert_eq!(id.rounds(), 2);
    assert_eq!(id.provider_ids(1).collect::<Vec<_>>(), ["msgbatch_1"]);

    let client = Anthropic::with_base_url(&server.url(""), "secret").unwrap();
    let results =
        resume_batch(&client, &id, &dispatches, RunOptions::default(), fast(), |_: &BatchProgress| {}).await;
    let repaired = results[1].as_ref().unwrap();
    assert_eq!(repaired.output.summary.body, "Done after repair.");
    assert_eq!(repaired.report.attempts.len(), 2, "the first round's attempt is read back from the provider");
    assert_eq!(repaired.report.attempts[0].reply, PARTIAL);
    assert_eq!(results[2].as_ref().unwrap().output.summary.body, "Done 2.");
    assert_eq!(repairs.lock().unwrap().len(), 1, "the repair batch was not sent again");
}

#[tokio::test]
async fn progress_is_reported_while_polling() {
    let (script, _) = replying();
    let (_server, client) = openai(script.polls(3)).await;
    let dispatches = dispatches(6);
    let seen: Mutex<Vec<BatchProgress>> = Mutex::new(Vec::new());
    let results =
        run_batch_with_progress(&client, &dispatches, RunOptions::default(), fast(), |p: &BatchProgress| {
            seen.lock().unwrap().push(p.clone())
        })
        .await;
    assert!(results.iter().all(Result::is_ok));
    let seen = seen.into_inner().unwrap();
    let statuses: Vec<&str> = seen.iter().map(|p| p.status.as_str()).collect();
    assert_eq!(statuses, ["validating", "in_progress", "in_progress", "completed"]);
    let succeeded: Vec<u64> = seen.iter().map(|p| p.requests.succeeded).collect();
    assert_eq!(succeeded, [0, 2, 4, 6]);
    assert!(seen[..3].iter().all(|p| p.progress.in_flight == 6 && p.progress.done == 0));
    let last = seen.last().unwrap().progress;
    assert_eq!((last.total, last.done, last.failed, last.in_flight), (6, 6, 0, 0));
    let usage = results.iter().fold(Usage::default(), |mut sum, r| {
        sum += r.as_ref().unwrap().report.usage;
        sum
    });
    assert_eq!((last.input_tokens, last.output_tokens), (usage.input_tokens, usage.output_tokens));
    assert_eq!(seen[0].id.to_string(), "agentbind-batch/1/openai/6/batch_0:0-6");
}

#[tokio::test]
async fn ten_thousand_dispatches_come_back_typed_and_in_order() {
    let (server, client) = openai(BatchScript::new(|request: &BatchRequest| {
        BatchReply::text(&full(&task(request.last_message)))
    }))
    .await;
    let dispatches = dispatches(10_000);
    let options = fast().max_dispatches_per_batch(4_000);
    let results = run_batch(&client, &dispatches, RunOptions::default(), options).await;
    assert_eq!(results.len(), 10_000);
    for (n, result) in results.iter().enumerate() {
        assert_eq!(result.as_ref().unwrap().output.summary.body, format!("Done {n}."));
    }
    let uploads = server.requests().into_iter().filter(|r| r.path == "/v1/files").count();
    assert_eq!(uploads, 3, "4,000 dispatches a batch");
}

#[tokio::test]
async fn run_all_reports_progress() {
    let server = ScriptedServer::repeating(ScriptedResponse::openai(&full("x"))).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let seen: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
    let results = run_all_with_progress(&client, dispatches(5), RunOptions::default(), 2, |p: &Progress| {
        seen.lock().unwrap().push(*p)
    })
    .await;
    assert!(results.iter().all(Result::is_ok));
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 10, "each run starts and ends");
    assert!(seen.iter().all(|p| p.total == 5 && p.in_flight <= 2));
    let last = seen.last().unwrap();
    assert_eq!((last.done, last.failed, last.in_flight, last.finished()), (5, 0, 0, 5));
    assert_eq!(last.input_tokens, 5 * 12);
    assert_eq!(last.fraction(), 1.0);
}

#[tokio::test]
async fn ids_from_the_server_that_do_not_fit_a_url_path_are_refused() {
    let server = ScriptedServer::with_handler(|request| match request.path.as_str() {
        "/v1/files" => ScriptedResponse::json(200, &serde_json::json!({"id": "file-1"})),
        _ => ScriptedResponse::json(200, &serde_json::json!({"id": "../../admin", "status": "validating"})),
    })
    .await
    .unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "k").unwrap();
    let results = run_batch(&client, &dispatches(2), RunOptions::default(), fast()).await;
    for result in results {
        let error = result.unwrap_err();
        assert!(
            matches!(error.model_error(), Some(ModelError::InvalidResponse { message, .. }) if message.contains("batch id")),
            "{error}"
        );
    }
}

#[tokio::test]
async fn results_are_read_from_the_clients_own_host_and_bad_lines_are_skipped() {
    let custom_ids = Arc::new(Mutex::new(Vec::<String>::new()));
    let ids = Arc::clone(&custom_ids);
    let server = ScriptedServer::with_handler(move |request| match (request.method.as_str(), request.path.as_str()) {
        ("POST", _) => {
            let body = request.json().unwrap();
            let mut ids = ids.lock().unwrap();
            ids.extend(body["requests"].as_array().unwrap().iter().map(|r| r["custom_id"].as_str().unwrap().to_owned()));
            ScriptedResponse::json(200, &serde_json::json!({"id": "msgbatch_x", "processing_status": "in_progress"}))
        }
        (_, "/v1/messages/batches/msgbatch_x") => ScriptedResponse::json(
            200,
            &serde_json::json!({
                "id": "msgbatch_x", "processing_status": "ended",
                "request_counts": {"processing": 0, "succeeded": 1, "errored": 0, "canceled": 0, "expired": 0},
                "results_url": "http://127.0.0.1:9/steal-the-key",
            }),
        ),
        (_, "/v1/messages/batches/msgbatch_x/results") => {
            let ids = ids.lock().unwrap();
            let message = serde_json::json!({"content": [{"type": "text", "text": full("0")}], "usage": {"input_tokens": 1, "output_tokens": 2}});
            let good = serde_json::json!({"custom_id": ids[0], "result": {"type": "succeeded", "message": message}});
            ScriptedResponse::raw(200, "application/binary", format!("not json\n\n{good}\n{{\"custom_id\": \"x-5-r0-00000000\"}}"))
        }
        _ => ScriptedResponse::status(404, "no"),
    })
    .await
    .unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let results = run_batch(&client, &dispatches(2), RunOptions::default(), fast()).await;
    assert_eq!(results[0].as_ref().unwrap().output.summary.body, "Done 0.");
    let error = results[1].as_ref().unwrap_err().to_string();
    assert!(error.contains("no result for this request") && error.contains("not JSON"), "{error}");
    assert!(server.requests().iter().all(|r| !r.path.contains("steal")));
    assert_eq!(custom_ids.lock().unwrap().len(), 2);
}
