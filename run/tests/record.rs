//! Record/replay: a pipeline recorded once against the scripted server replays with no
//! server running, streaming included; a changed agent file, input or model is a replay miss
//! that names the agent and what changed.

use std::path::PathBuf;

use agentbind::DynAgent;
use agentbind_load::LoadedAgent;
use agentbind_run::scripted::{ScriptedResponse, ScriptedServer};
use agentbind_run::{
    run_any, ModelClient, ModelError, OpenAiCompatible, RecordMode, Recorder, RunDispatch, RunError,
    RunEvent, RunOptions,
};
use futures_util::StreamExt;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

const FULL: &str = "## Summary\nAdded the endpoint.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\ngo test passes.\n\n## Next Steps\nNone.\n";
const PARTIAL: &str = "## Summary\nAdded the endpoint.\n";

const CHECKER: &str = "---\nname: checker\ndescription: Checks a change.\nmodel: sonnet\ninput_schema:\n  required_context:\n    - name: change\n      type: string\n      description: The change.\noutput_schema:\n  format: markdown\n  required_sections:\n    - name: Verdict\n      pattern: \"^## Verdict: (OK|BAD)$\"\n      required: true\n---\nYou check changes.\n";

fn dispatch(task: &str) -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: task.into(),
        requirements: "Return 200".into(),
    }))
}

/// A fresh folder for one test's recordings.
fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("agentbind-record-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn recordings(dir: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// A client for a server that is not running: replays must not need one.
fn offline() -> OpenAiCompatible {
    OpenAiCompatible::new("http://127.0.0.1:9/v1", "").unwrap().with_model("local-model")
}

fn miss(error: &RunError) -> (String, String) {
    match error.model_error() {
        Some(ModelError::ReplayMiss { agent, changed, .. }) => (agent.clone(), changed.clone()),
        other => panic!("not a replay miss: {other:?} ({error})"),
    }
}

#[tokio::test]
async fn a_recorded_pipeline_replays_offline_with_the_same_outputs_and_reports() {
    let dir = folder("pipeline");
    let server = ScriptedServer::start(vec![
        ScriptedResponse::openai(PARTIAL),
        ScriptedResponse::openai(FULL),
        ScriptedResponse::openai(FULL),
    ])
    .await
    .unwrap();
    let live = OpenAiCompatible::new(&server.url("/v1"), "").unwrap().with_model("local-model");
    let recorder = Recorder::new(&live, &dir, RecordMode::Record);
    let first = dispatch("Add /health").run(&recorder, RunOptions::default()).await.unwrap();
    let second = dispatch("Add /ready").run(&recorder, RunOptions::default()).await.unwrap();
    assert_eq!((first.report.attempts.len(), second.report.attempts.len()), (2, 1));
    drop(server);
    // One readable file per call, named after the agent.
    let files = recordings(&dir);
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(
        files.iter().all(|f| f.starts_with("backend-engineer-golang-") && f.ends_with(".json")),
        "{files:?}"
    );
    let recording: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(&files[0])).unwrap()).unwrap();
    assert_eq!(recording["agent"], "backend-engineer-golang");
    assert_eq!(recording["model"], "local-model");
    assert!(recording["system"].as_str().unwrap().starts_with("# Backend Engineer Golang"));

    let replay = Recorder::new(offline(), &dir, RecordMode::Replay);
    let again = dispatch("Add /health").run(&replay, RunOptions::default()).await.unwrap();
    assert_eq!(again.output, first.output);
    assert_eq!(again.report.usage, first.report.usage);
    assert_eq!(again.report.attempts.len(), 2);
    assert_eq!(again.report.attempts[0].reply, PARTIAL);
    let again = dispatch("Add /ready").run(&replay, RunOptions::default()).await.unwrap();
    assert_eq!(again.output, second.output);

    // Other inputs are not recorded: a miss that names the agent and what changed.
    let error = dispatch("Add /metrics").run(&replay, RunOptions::default()).await.unwrap_err();
    let (agent, changed) = miss(&error);
    assert_eq!(agent, "backend-engineer-golang");
    assert_eq!(changed, "the first message (the dispatch's inputs) changed");
    assert!(error.to_string().contains("agent `backend-engineer-golang`"), "{error}");
    // So is another model.
    let other_model = Recorder::new(offline().with_model("bigger-model"), &dir, RecordMode::Replay);
    let (_, changed) =
        miss(&dispatch("Add /ready").run(&other_model, RunOptions::default()).await.unwrap_err());
    assert_eq!(changed, "the model (recorded `local-model`, now `bigger-model`) changed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_streamed_call_replays_as_a_stream() {
    let dir = folder("stream");
    let server = ScriptedServer::start(vec![ScriptedResponse::openai_stream(FULL, 40)]).await.unwrap();
    let live = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let recorder = Recorder::new(&live, &dir, RecordMode::Record);
    let texts = |events: Vec<Result<RunEvent<golang::Agent>, RunError>>| -> Vec<String> {
        events
            .into_iter()
            .filter_map(|e| match e.unwrap() {
                RunEvent::Text(text) => Some(text),
                _ => None,
            })
            .collect()
    };
    let recorded = dispatch("x").run_stream(&recorder, RunOptions::default()).collect::<Vec<_>>().await;
    drop(server);
    let replay =
        Recorder::new(OpenAiCompatible::new("http://127.0.0.1:9/v1", "").unwrap(), &dir, RecordMode::Replay);
    let replayed = dispatch("x").run_stream(&replay, RunOptions::default()).collect::<Vec<_>>().await;
    let (recorded, replayed) = (texts(recorded), texts(replayed));
    assert!(replayed.len() > 3, "the chunks as they came: {replayed:?}");
    assert_eq!(replayed, recorded);
    assert_eq!(replayed.concat(), FULL);
    // The stream's recording also answers a whole-reply call.
    let run = dispatch("x").run(&replay, RunOptions::default()).await.unwrap();
    assert_eq!(run.output.summary.body, "Added the endpoint.");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn editing_the_agent_file_makes_the_replay_fail_naming_the_agent() {
    let dir = folder("edited");
    let file = dir.join("agents/checker.md");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, CHECKER).unwrap();
    let inputs = serde_json::json!({"change": "rename a field"});
    let server =
        ScriptedServer::start(vec![ScriptedResponse::openai("## Verdict: OK\nFine.\n")]).await.unwrap();
    let live = OpenAiCompatible::new(&server.url("/v1"), "").unwrap().with_model("local-model");
    let recorder = Recorder::new(&live, dir.join("recordings"), RecordMode::Record);
    {
        let agent = LoadedAgent::from_file(&file).unwrap();
        let dispatch = agent.dispatch_json(&inputs, None, None).unwrap();
        run_any(&dispatch, &recorder, RunOptions::default()).await.unwrap();
    }
    drop(server);
    let replay = Recorder::new(offline(), dir.join("recordings"), RecordMode::Replay);
    let agent = LoadedAgent::from_file(&file).unwrap();
    let output = run_any(&agent.dispatch_json(&inputs, None, None).unwrap(), &replay, RunOptions::default())
        .await
        .unwrap()
        .output;
    assert_eq!(output["verdict"]["value"], "OK");

    std::fs::write(&file, CHECKER.replace("You check changes.", "You check changes strictly.")).unwrap();
    let edited = LoadedAgent::from_file(&file).unwrap();
    let replay = Recorder::new(offline(), dir.join("recordings"), RecordMode::Replay);
    let error = run_any(&edited.dispatch_json(&inputs, None, None).unwrap(), &replay, RunOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        miss(&error),
        ("checker".to_owned(), "the agent's prompt (the body of its file) changed".to_owned())
    );
    assert!(error.to_string().contains("no recording of this call of agent `checker`"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn record_missing_replays_what_it_has_and_records_the_rest() {
    let dir = folder("missing");
    let server = ScriptedServer::start(vec![ScriptedResponse::openai(FULL), ScriptedResponse::openai(FULL)])
        .await
        .unwrap();
    let live = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let recorder = Recorder::new(&live, &dir, RecordMode::Record);
    dispatch("a").run(&recorder, RunOptions::default()).await.unwrap();
    let both = Recorder::new(&live, &dir, RecordMode::RecordMissing);
    assert_eq!(both.mode(), RecordMode::RecordMissing);
    dispatch("a").run(&both, RunOptions::default()).await.unwrap();
    dispatch("b").run(&both, RunOptions::default()).await.unwrap();
    // `a` came from its recording: the server saw `a` once and `b` once.
    assert_eq!(server.requests().len(), 2);
    assert_eq!(recordings(&dir).len(), 2);
    assert_eq!(both.backend(), "openai-compatible");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn nothing_recorded_for_an_agent_says_so_and_a_broken_recording_names_its_file() {
    let dir = folder("empty");
    std::fs::create_dir_all(&dir).unwrap();
    let replay = Recorder::new(offline(), &dir, RecordMode::Replay);
    let (agent, changed) = miss(&dispatch("a").run(&replay, RunOptions::default()).await.unwrap_err());
    assert_eq!(
        (agent.as_str(), changed.as_str()),
        ("backend-engineer-golang", "nothing was recorded for this agent")
    );

    // A recording that is not JSON is an error naming the file, not a panic.
    let server = ScriptedServer::start(vec![ScriptedResponse::openai(FULL)]).await.unwrap();
    let live = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    dispatch("a").run(&Recorder::new(&live, &dir, RecordMode::Record), RunOptions::default()).await.unwrap();
    let file = dir.join(&recordings(&dir)[0]);
    std::fs::write(&file, "{ not json").unwrap();
    let replay = Recorder::new(&live, &dir, RecordMode::Replay);
    let error = dispatch("a").run(&replay, RunOptions::default()).await.unwrap_err();
    match error.model_error() {
        Some(ModelError::Recording { path, message }) => {
            assert!(path.ends_with(".json") && message.starts_with("not JSON"), "{path}: {message}");
        }
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_call_that_failed_and_was_retried_replays_its_reply() {
    let dir = folder("retried");
    let server =
        ScriptedServer::start(vec![ScriptedResponse::status(503, "busy"), ScriptedResponse::openai(FULL)])
            .await
            .unwrap();
    let live = OpenAiCompatible::new(&server.url("/v1"), "").unwrap().with_model("local-model");
    let options = RunOptions::default().backoff(std::time::Duration::ZERO, std::time::Duration::ZERO);
    let recorder = Recorder::new(&live, &dir, RecordMode::Record);
    let recorded = dispatch("a").run(&recorder, options.clone()).await.unwrap();
    assert_eq!(recorded.report.retries(), 1);
    drop(server);
    // Only the reply is recorded; the replay needs no retry.
    assert_eq!(recordings(&dir).len(), 1);
    let replay = Recorder::new(offline(), &dir, RecordMode::Replay);
    let replayed = dispatch("a").run(&replay, options).await.unwrap();
    assert_eq!(replayed.output, recorded.output);
    assert_eq!(replayed.report.retries(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
