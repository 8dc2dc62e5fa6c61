//! Against a real model: llama.cpp's server with SmolLM2-135M-Instruct on 127.0.0.1, set up by
//! `scripts/local-model.sh up`. A model this small often misses sections, so these tests check
//! the mechanics (requests accepted, repair turns, usage, stream events), not its answers.
//! Without a server they pass after printing that they skipped.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use agentbind::SectionKind;
use agentbind_run::{run_all, OpenAiCompatible, RunDispatch, RunErrorKind, RunEvent, RunOptions, RunReport};
use futures_util::StreamExt;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

#[agentbind::agent("../tests/fixtures/reviewer-schema.md")]
pub mod reviewer {}

const DEFAULT_URL: &str = "http://127.0.0.1:8080/v1";

/// The client of the local server, or `None` (having said why) when none answers.
fn local_model(test: &str) -> Option<OpenAiCompatible> {
    let url = std::env::var("AGENTBIND_LOCAL_MODEL_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let authority = url.trim_start_matches("http://").split('/').next().unwrap_or_default();
    let ready =
        authority.parse::<SocketAddr>().is_ok_and(|addr| addr.ip().is_loopback() && wait_until_ready(addr));
    if !ready {
        // Written to the stream itself, not through `eprintln!`, so the test harness does not
        // hide it.
        let note = format!(
            "{test}: skipped: no local model serves {url} (start one with `scripts/local-model.sh up`)\n"
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
        return None;
    }
    Some(OpenAiCompatible::new(&url, "").expect("a valid local URL").with_model("smollm2-135m-instruct"))
}

/// Whether a server answers at `addr`; waits up to a minute while it says it is loading (503
/// from llama.cpp's `/health`). Servers without `/health` count as ready.
fn wait_until_ready(addr: SocketAddr) -> bool {
    use std::io::{Read, Write};
    for _ in 0..120 {
        let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else { return false };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut status = [0u8; 12];
        let answered = stream.write_all(b"GET /health HTTP/1.0\r\n\r\n").is_ok()
            && stream.read_exact(&mut status).is_ok();
        if !answered {
            return false;
        }
        if &status[9..12] != b"503" {
            return true;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    false
}

/// What every report of a real run must show: attempts with text and tokens, repair turns
/// that carry the previous attempt's feedback, and totals that add up.
fn check_report(report: &RunReport, repairs: usize) {
    // A call that failed (an empty reply, a dropped connection) was retried: the checks are of
    // the replies, and of the usage of every call.
    let replies: Vec<&agentbind_run::Attempt> =
        report.attempts.iter().filter(|a| a.call_error.is_none()).collect();
    assert!((1..=repairs + 1).contains(&replies.len()), "{} replies", replies.len());
    assert!(report.repairs() <= repairs);
    let mut total = agentbind_run::Usage::default();
    for failed in report.failed_calls() {
        total += failed.usage;
    }
    for (i, attempt) in replies.iter().enumerate() {
        assert!(!attempt.reply.trim().is_empty(), "attempt {i} has no text");
        assert!(
            attempt.usage.input_tokens > 0 && attempt.usage.output_tokens > 0,
            "attempt {i}: {:?}",
            attempt.usage
        );
        assert!(attempt.served_model.as_deref().is_some_and(|m| !m.is_empty()), "attempt {i} names no model");
        if i > 0 {
            let previous = replies[i - 1].error.as_ref().expect("only a refused reply is repaired");
            assert_eq!(attempt.request, previous.feedback(), "attempt {i} does not send the feedback");
            assert!(
                attempt.usage.input_tokens > replies[i - 1].usage.input_tokens,
                "the repair turn carries the conversation"
            );
        }
        total += attempt.usage;
    }
    assert_eq!(report.usage, total);
    assert!(replies[..replies.len() - 1].iter().all(|a| a.error.is_some()));
}

#[tokio::test]
async fn a_real_model_run_records_attempts_usage_and_repairs() {
    let Some(client) = local_model("a_real_model_run_records_attempts_usage_and_repairs") else { return };
    let dispatch = reviewer::Agent::dispatch(reviewer::Input::new())
        .with_instructions("Review this Go function:\n\nfunc Add(a, b int) int { return a - b }");
    let options = RunOptions::default().repairs(2).max_tokens(160).temperature(0.0);
    match dispatch.run(&client, options).await {
        Ok(run) => {
            check_report(&run.report, 2);
            assert_eq!(run.report.attempts.last().unwrap().error, None);
            assert!(reviewer::Verdict::ALL.contains(&run.output.verdict.value));
        }
        Err(error) => {
            let RunErrorKind::Reply(last) = &error.kind else { panic!("the model call failed: {error}") };
            check_report(&error.report, 2);
            assert_eq!(error.report.attempts.len(), 3, "repairs ran out");
            assert_eq!(last.reply(), Some(error.report.attempts[2].reply.as_str()));
        }
    }
}

#[tokio::test]
async fn a_real_model_stream_agrees_with_parse_reply() {
    let Some(client) = local_model("a_real_model_stream_agrees_with_parse_reply") else { return };
    let dispatch = reviewer::Agent::dispatch(reviewer::Input::new()).with_instructions("Review: `x := 1/0`");
    let options = RunOptions::default().repairs(1).max_tokens(120).temperature(0.0);
    let mut stream = std::pin::pin!(dispatch.run_stream(&client, options));
    // Per attempt: the text that arrived and the sections completed.
    let mut attempts: Vec<(String, Vec<(reviewer::Section, agentbind::SectionText)>)> = Vec::new();
    let mut report = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(RunEvent::AttemptStarted { attempt }) => {
                assert_eq!(attempt, attempts.len() + 1);
                attempts.push(Default::default());
            }
            Ok(RunEvent::Text(text)) => {
                attempts.last_mut().expect("text after AttemptStarted").0.push_str(&text)
            }
            Ok(RunEvent::SectionCompleted { section, text }) => {
                attempts.last_mut().unwrap().1.push((section, text))
            }
            Ok(RunEvent::Retrying { attempt, .. }) => {
                // A call refused before its reply started was never `AttemptStarted`.
                if attempts.len() < attempt {
                    attempts.push(Default::default());
                }
            }
            Ok(RunEvent::SectionStarted { .. } | RunEvent::Repairing { .. }) => {}
            Ok(RunEvent::Finished(run)) => report = Some(run.report),
            Err(error) => {
                assert!(matches!(error.kind, RunErrorKind::Reply(_)), "the model call failed: {error}");
                report = Some(*error.report);
            }
        }
    }
    let report = report.expect("the stream ends with the run or its error");
    check_report(&report, 1);
    assert_eq!(attempts.len(), report.attempts.len());
    for ((text, completed), attempt) in attempts.iter().zip(&report.attempts) {
        if attempt.call_error.is_some() {
            continue;
        }
        assert_eq!(text, &attempt.reply);
        let sections = reviewer::Section::matcher().scan(text).unwrap();
        let mut expected = Vec::new();
        for (i, section) in reviewer::Section::ALL.iter().enumerate() {
            expected.extend(sections.texts(i).map(|t| (*section, t.clone())));
        }
        let mut completed = completed.clone();
        completed.sort_by_key(|(s, _)| s.index());
        expected.sort_by_key(|(s, _)| s.index());
        assert_eq!(completed, expected);
    }
}

#[tokio::test]
async fn the_reference_agent_and_fan_out_against_a_real_model() {
    let Some(client) = local_model("the_reference_agent_and_fan_out_against_a_real_model") else { return };
    let tasks = ["Add a /health endpoint", "Add a /version endpoint"];
    let dispatches = tasks.map(|task| {
        golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
            task_description: task.into(),
            requirements: "Return JSON".into(),
        }))
    });
    let options = RunOptions::default().repairs(0).max_tokens(48).temperature(0.0);
    let results = run_all(&client, dispatches, options, 2).await;
    assert_eq!(results.len(), 2);
    for result in &results {
        let report = match result {
            Ok(run) => &run.report,
            Err(error) => {
                assert!(matches!(error.kind, RunErrorKind::Reply(_)), "the model call failed: {error}");
                &error.report
            }
        };
        check_report(report, 0);
        // The reference agent's system prompt alone is thousands of tokens.
        assert!(report.usage.input_tokens > 4_000, "{:?}", report.usage);
    }
}

/// With the reply grammar, even a 135M model meets the contract on the first attempt: the
/// reference agent (5 sections, a 23 KB system prompt) and a reviewer with a value heading,
/// in and out of context, several times each.
#[tokio::test]
async fn with_the_reply_grammar_the_first_reply_meets_the_contract() {
    let Some(client) = local_model("with_the_reply_grammar_the_first_reply_meets_the_contract") else {
        return;
    };
    let options =
        || RunOptions::default().constrain(agentbind_run::Constraint::Grammar).repairs(0).max_tokens(600);
    for i in 0..3 {
        let mut dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
            task_description: format!("Add a /health endpoint, variant {i}"),
            requirements: "It must return 200 with the build version.".into(),
        }));
        if i == 2 {
            dispatch = dispatch.in_context(golang::InvocationContext::DevRefactor);
        }
        let run = dispatch.run(&client, options()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.report.attempts.len(), 1);
        assert_eq!(run.report.attempts[0].constraint, agentbind_run::ConstraintMode::Grammar);
        let review = reviewer::Agent::dispatch(reviewer::Input::new())
            .with_instructions("Review: `fn add(a: i32) -> i32 { a + 1 }`");
        let run = review.run(&client, options()).await.unwrap_or_else(|e| {
            panic!("{e}\n{:?} {:?}", e.report.attempts[0].finish_reason, e.report.attempts[0].reply)
        });
        assert_eq!(run.report.attempts.len(), 1);
    }
}

/// With the reply schema, the real server constrains the reply to JSON of it, and the reply
/// reads back into the typed output and its metrics (a model this small may still run out of
/// tokens inside a string: then the run is repaired, and each attempt says why).
#[tokio::test]
async fn with_the_reply_schema_the_json_reply_reads_into_the_typed_output() {
    let Some(client) = local_model("with_the_reply_schema_the_json_reply_reads_into_the_typed_output") else {
        return;
    };
    let client = client.grammars(true);
    let options =
        RunOptions::default().constrain(agentbind_run::Constraint::JsonSchema).repairs(2).max_tokens(700);
    let dispatch = reviewer::Agent::dispatch(reviewer::Input::new())
        .with_instructions("Review: `fn add(a: i32) -> i32 { a + 1 }`");
    let run = match dispatch.run(&client, options).await {
        Ok(run) => run,
        Err(error) => {
            // Every attempt was JSON constrained by the schema: the failure is the model's.
            for attempt in &error.report.attempts {
                assert_eq!(attempt.constraint, agentbind_run::ConstraintMode::JsonSchema);
            }
            let note = format!("reviewer: no JSON reply within its tokens: {error}\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
            return;
        }
    };
    let accepted = run.report.attempts.last().unwrap();
    assert_eq!(accepted.constraint, agentbind_run::ConstraintMode::JsonSchema);
    assert!(accepted.reply.trim_start().starts_with('{'), "{}", accepted.reply);
    let value: serde_json::Value = serde_json::from_str(&accepted.reply).unwrap();
    assert!(value.get("VERDICT").is_some(), "{value}");
    assert_eq!(run.output, dispatch.parse_json_reply(&accepted.reply).unwrap());
    assert!(accepted.markdown.as_deref().unwrap().contains("## VERDICT: "));
}
