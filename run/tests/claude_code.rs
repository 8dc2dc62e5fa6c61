//! The Claude Code backend against a stand-in `claude` executable, for what the real CLI
//! cannot be made to do: fail with exit codes and stderr, print what is not JSON or too much,
//! report absurd token counts, lose a session, or stream without partial messages. The
//! stand-in records its arguments and stdin and prints scripted output. What the real CLI
//! does with the agent's settings, repairs and streams is in `claude_code_cli.rs`.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use agentbind_run::{ClaudeCode, ModelError, RunDispatch, RunEvent, RunOptions, Usage};
use futures_util::StreamExt;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

#[agentbind::agent("../tests/claude-agents/tools-yaml-list.md")]
pub mod lister {}

const PARTIAL: &str = "## Summary\nDone.\n";

const FULL: &str = "## Summary\nDone.\n\n## Implementation\nA handler.\n\n## Files Changed\n- a.go\n\n## Testing\nok\n\n## Next Steps\nNone.\n";

const STAND_IN: &str = r#"#!/bin/sh
dir="$(dirname "$0")"
n=$(cat "$dir/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$dir/count"
printf '%s\0' "$@" > "$dir/args.$n"
cat > "$dir/stdin.$n"
if [ -f "$dir/stderr.$n" ]; then cat "$dir/stderr.$n" >&2; fi
if [ -f "$dir/stdout.$n" ]; then cat "$dir/stdout.$n"; fi
if [ -f "$dir/run.$n" ]; then echo $$ > "$dir/pid.$n"; . "$dir/run.$n"; fi
exit "$(cat "$dir/exit.$n" 2>/dev/null || echo 0)"
"#;

/// A folder with the stand-in `claude` in it; removed when dropped.
struct StandIn {
    dir: PathBuf,
}

impl StandIn {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("agentbind-claude-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let program = dir.join("claude");
        std::fs::write(&program, STAND_IN).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir }
    }

    fn program(&self) -> PathBuf {
        self.dir.join("claude")
    }

    /// What call `n` (from 1) prints, writes to stderr and exits with.
    fn script(&self, n: usize, stdout: &str, stderr: &str, exit: i32) -> &Self {
        std::fs::write(self.dir.join(format!("stdout.{n}")), stdout).unwrap();
        if !stderr.is_empty() {
            std::fs::write(self.dir.join(format!("stderr.{n}")), stderr).unwrap();
        }
        std::fs::write(self.dir.join(format!("exit.{n}")), exit.to_string()).unwrap();
        self
    }

    /// Call `n` runs `script` (sh) after printing what `script` gave it.
    fn run(&self, n: usize, script: &str) -> &Self {
        std::fs::write(self.dir.join(format!("run.{n}")), script).unwrap();
        self
    }

    fn pid(&self, n: usize) -> Option<u32> {
        std::fs::read_to_string(self.dir.join(format!("pid.{n}"))).ok()?.trim().parse().ok()
    }

    fn args(&self, n: usize) -> Vec<String> {
        let raw = std::fs::read(self.dir.join(format!("args.{n}"))).unwrap();
        raw.split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8(a.to_vec()).unwrap())
            .collect()
    }

    fn stdin(&self, n: usize) -> String {
        std::fs::read_to_string(self.dir.join(format!("stdin.{n}"))).unwrap()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn result(text: &str) -> String {
    serde_json::json!({
        "type": "result",
        "subtype": "success",
        "is_error": false,
        "result": text,
        "session_id": "s-1",
        "usage": {"input_tokens": 10, "cache_read_input_tokens": 5, "output_tokens": 7},
        "modelUsage": {"claude-opus-4-1-20250805": {"inputTokens": 10}},
    })
    .to_string()
}

fn value_after<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).map(String::as_str)
}

async fn error_of(stand_in: &StandIn) -> agentbind_run::RunError {
    let client = ClaudeCode::with_program(stand_in.program());
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }))
    .run(&client, RunOptions::default().retries(0))
    .await
    .unwrap_err()
}

#[tokio::test]
async fn failures_of_the_program_are_typed_and_name_the_agent() {
    let stand_in = StandIn::new("fail");
    stand_in.script(1, "", "Invalid API key\n", 1);
    let error = error_of(&stand_in).await;
    match error.model_error() {
        Some(ModelError::Process { code: Some(1), message, .. }) => assert_eq!(message, "Invalid API key"),
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().starts_with("agent `backend-engineer-golang`: model call failed:"), "{error}");

    let error_result =
        serde_json::json!({"type": "result", "subtype": "error_max_turns", "is_error": true, "result": ""});
    stand_in.script(2, &error_result.to_string(), "", 0);
    let error = error_of(&stand_in).await;
    assert!(
        matches!(error.model_error(), Some(ModelError::Process { message, .. }) if message.contains("error_max_turns"))
    );

    stand_in.script(3, "not json", "", 0);
    assert!(matches!(error_of(&stand_in).await.model_error(), Some(ModelError::InvalidResponse { .. })));

    stand_in.script(4, &result(""), "", 0);
    assert!(matches!(error_of(&stand_in).await.model_error(), Some(ModelError::EmptyReply { .. })));
}

#[tokio::test]
async fn a_missing_program_cannot_be_spawned() {
    let client = ClaudeCode::with_program(Path::new("/nonexistent/claude"));
    let error = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }))
    .run(&client, RunOptions::default())
    .await
    .unwrap_err();
    assert!(
        matches!(error.model_error(), Some(ModelError::Spawn { program, .. }) if program == "/nonexistent/claude")
    );
}

#[tokio::test]
async fn a_child_that_writes_a_lot_to_stderr_does_not_hang_the_call() {
    let stand_in = StandIn::new("stderr");
    // Far more than a pipe holds (64 KiB on Linux): the child blocks unless it is drained.
    let noise = "warning: something noisy happened\n".repeat(20_000);
    stand_in.script(1, &result(FULL), &noise, 0).script(2, "", &noise, 3);
    let client = ClaudeCode::with_program(stand_in.program());
    let dispatch = dispatch();
    let call = dispatch.run(&client, RunOptions::default());
    let run = tokio::time::timeout(std::time::Duration::from_secs(30), call).await.expect("the call hung");
    assert_eq!(run.unwrap().output, dispatch.parse_reply(FULL).unwrap());
    // A failure keeps the first 8 KiB of stderr.
    let error = tokio::time::timeout(std::time::Duration::from_secs(30), error_of(&stand_in)).await.unwrap();
    match error.model_error() {
        Some(ModelError::Process { code: Some(3), message, .. }) => {
            assert!(
                message.len() <= agentbind_run::ERROR_BODY_LIMIT && message.starts_with("warning:"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn token_counts_of_a_result_saturate() {
    let stand_in = StandIn::new("usage");
    let huge = serde_json::json!({
        "type": "result", "subtype": "success", "is_error": false, "result": FULL,
        "usage": {"input_tokens": u64::MAX, "cache_read_input_tokens": u64::MAX, "cache_creation_input_tokens": 1, "output_tokens": u64::MAX},
    });
    stand_in.script(1, &huge.to_string(), "", 0);
    let run =
        dispatch().run(&ClaudeCode::with_program(stand_in.program()), RunOptions::default()).await.unwrap();
    assert_eq!(run.report.usage, Usage::new(u64::MAX, u64::MAX).with_cached(u64::MAX));
}

fn dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }))
}

/// `stream-json` output: the init line, a turn whose text comes in `pieces`, then `result`.
fn stream_lines(pieces: &[&str], result: &str) -> String {
    let mut lines =
        vec![serde_json::json!({"type": "system", "subtype": "init", "session_id": "s-1"}).to_string()];
    let event = |event: serde_json::Value| {
        serde_json::json!({"type": "stream_event", "event": event, "parent_tool_use_id": null, "session_id": "s-1"})
            .to_string()
    };
    lines.push(event(serde_json::json!({"type": "message_start", "message": {"content": []}})));
    for piece in pieces {
        lines.push(event(
            serde_json::json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}),
        ));
    }
    lines.push(result.to_owned());
    lines.join("\n") + "\n"
}

const NO_SESSION: &str = "No conversation found with session ID: s-1\n";

/// The error result of `--resume` with a session the CLI does not have.
fn no_session_result() -> String {
    serde_json::json!({"type": "result", "subtype": "error_during_execution", "is_error": true,
        "session_id": "s-2", "errors": [NO_SESSION.trim()]})
    .to_string()
}

#[tokio::test]
async fn a_session_the_cli_no_longer_has_is_started_again_with_the_whole_conversation() {
    let dispatch = dispatch();
    let feedback = dispatch.parse_reply(PARTIAL).unwrap_err().feedback();
    let transcript = format!(
        "{}\n\n---\n\nYour previous reply was:\n\n{PARTIAL}\n\n---\n\n{feedback}",
        dispatch.prompt_with_reply_format()
    );

    let stand_in = StandIn::new("lost");
    stand_in.script(1, &result(PARTIAL), "", 0).script(2, "", NO_SESSION, 1).script(3, &result(FULL), "", 0);
    let client = ClaudeCode::with_program(stand_in.program());
    let run = dispatch.run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.report.attempts.len(), 2);
    assert_eq!(value_after(&stand_in.args(2), "--resume"), Some("s-1"));
    assert_eq!(stand_in.stdin(2), feedback);
    assert!(!stand_in.args(3).contains(&"--resume".to_owned()));
    assert_eq!(stand_in.stdin(3), transcript);

    // Streamed, the same.
    let stand_in = StandIn::new("lost-stream");
    stand_in
        .script(1, &stream_lines(&["## Summary\n", "Done.\n"], &result(PARTIAL)), "", 0)
        .script(2, &(no_session_result() + "\n"), NO_SESSION, 1)
        .script(3, &stream_lines(&[FULL], &result(FULL)), "", 0);
    let client = ClaudeCode::with_program(stand_in.program());
    let events: Vec<_> = dispatch.run_stream(&client, RunOptions::default()).collect().await;
    assert!(matches!(events.last(), Some(Ok(RunEvent::Finished(_)))), "{events:?}");
    assert_eq!(&stand_in.args(1)[..3], ["-p", "--output-format", "stream-json"]);
    assert_eq!(value_after(&stand_in.args(2), "--resume"), Some("s-1"));
    assert_eq!(stand_in.stdin(2), feedback);
    assert_eq!(stand_in.stdin(3), transcript);
}

async fn stream_error(stand_in: &StandIn) -> ModelError {
    let client = ClaudeCode::with_program(stand_in.program());
    let dispatch = dispatch();
    let events: Vec<_> = dispatch.run_stream(&client, RunOptions::default()).collect().await;
    match events.last() {
        Some(Err(error)) => error.model_error().cloned().unwrap_or_else(|| panic!("{error:?}")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_stream_that_goes_wrong_is_a_typed_error() {
    let stand_in = StandIn::new("stream-fail");
    stand_in.script(1, &stream_lines(&["## Summary\n"], "not json"), "", 0);
    assert!(matches!(stream_error(&stand_in).await, ModelError::InvalidResponse { .. }));

    stand_in.script(2, &stream_lines(&["## Summary\n"], ""), "", 0);
    match stream_error(&stand_in).await {
        ModelError::StreamCut { received: 11, .. } => {}
        other => panic!("{other:?}"),
    }

    stand_in.script(3, &stream_lines(&["## Summary\n"], ""), "Invalid API key\n", 3);
    match stream_error(&stand_in).await {
        ModelError::Process { code: Some(3), message, .. } => assert_eq!(message, "Invalid API key"),
        other => panic!("{other:?}"),
    }

    let max_turns = serde_json::json!({"type": "result", "subtype": "error_max_turns", "is_error": true,
        "errors": ["Reached maximum number of turns (2)"]});
    stand_in.script(4, &stream_lines(&["Reading."], &max_turns.to_string()), "", 1);
    match stream_error(&stand_in).await {
        ModelError::Process { code: Some(1), message, .. } => {
            assert_eq!(message, "error_max_turns: Reached maximum number of turns (2)")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_cli_that_streams_no_partial_messages_still_gives_the_reply() {
    let stand_in = StandIn::new("no-partial");
    stand_in.script(1, &(result(FULL) + "\n"), "", 0);
    let client = ClaudeCode::with_program(stand_in.program());
    let dispatch = dispatch();
    let events: Vec<_> =
        dispatch.run_stream(&client, RunOptions::default()).map(Result::unwrap).collect().await;
    let texts: Vec<&str> = events
        .iter()
        .filter_map(|event| match event {
            RunEvent::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, [FULL]);
    let Some(RunEvent::Finished(run)) = events.last() else { panic!("{events:?}") };
    assert_eq!(run.output, dispatch.parse_reply(FULL).unwrap());
    assert_eq!(run.report.usage, Usage::new(15, 7).with_cached(5));
}

/// Whether process `pid` is gone (or a zombie), waiting at most 10 s.
fn is_gone(pid: u32) -> bool {
    for _ in 0..1000 {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat) if stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')) => {
                return true
            }
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
    false
}

#[tokio::test]
async fn a_streamed_line_over_the_limit_fails_and_the_child_is_killed() {
    let stand_in = StandIn::new("long-line");
    // One line of 128 MiB and a bit: more than a reply of 64 MiB, JSON-escaped, can take.
    stand_in.run(1, "head -c 134217800 /dev/zero | tr '\\0' x\nexec sleep 30\n");
    let started = std::time::Instant::now();
    let call = stream_error(&stand_in);
    let error = tokio::time::timeout(std::time::Duration::from_secs(30), call).await.expect("the call hung");
    assert_eq!(error, ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
    assert!(started.elapsed() < std::time::Duration::from_secs(25));
    assert!(is_gone(stand_in.pid(1).unwrap()));
}

#[tokio::test]
async fn dropping_a_stream_kills_the_child() {
    let stand_in = StandIn::new("drop-stream");
    stand_in.run(1, &format!("printf '%s' '{}'\nexec sleep 30\n", stream_lines(&["## Summary\n"], "")));
    let client = ClaudeCode::with_program(stand_in.program());
    let dispatch = dispatch();
    let mut events = Box::pin(dispatch.run_stream(&client, RunOptions::default()));
    loop {
        match events.next().await {
            Some(Ok(RunEvent::Text(text))) => break assert_eq!(text, "## Summary\n"),
            Some(Ok(_)) => continue,
            other => panic!("{other:?}"),
        }
    }
    let pid = stand_in.pid(1).unwrap();
    assert!(!is_gone_now(pid));
    drop(events);
    assert!(is_gone(pid));
}

fn is_gone_now(pid: u32) -> bool {
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[tokio::test]
async fn a_json_schema_run_passes_the_schema_and_reads_the_structured_output() {
    let dispatch = dispatch();
    let structured = serde_json::json!({
        "Summary": "Done.", "Implementation": "A handler.", "Files Changed": "- a.go", "Testing": "ok",
        "Next Steps": "None.", "Standards Compliance": null, "Blockers": null,
        "metrics": {"files_changed": 1, "lines_added": 2, "lines_removed": 3, "test_coverage_delta": 4, "execution_time_seconds": 5}
    });
    let mut printed: serde_json::Value = serde_json::from_str(&result(&structured.to_string())).unwrap();
    printed["structured_output"] = structured.clone();
    let stand_in = StandIn::new("json-schema");
    stand_in.script(1, &printed.to_string(), "", 0).script(2, &printed.to_string(), "", 0);
    let client = ClaudeCode::with_program(stand_in.program());
    let options = RunOptions::default().constrain(agentbind_run::Constraint::JsonSchema);
    let run = dispatch.run(&client, options.clone()).await.unwrap();
    assert_eq!(run.output.summary.body, "Done.");
    assert_eq!(run.report.attempts[0].constraint, agentbind_run::ConstraintMode::JsonSchema);
    assert_eq!(run.metrics::<golang::Metrics>().unwrap().metrics.lines_removed, 3);
    let schema: serde_json::Value =
        serde_json::from_str(value_after(&stand_in.args(1), "--json-schema").unwrap()).unwrap();
    assert_eq!(schema, dispatch.reply_schema().unwrap());
    // Streamed, the structured reply comes whole, from the same `--output-format json` call.
    let events: Vec<_> = dispatch.run_stream(&client, options).collect().await;
    assert!(matches!(events.last(), Some(Ok(RunEvent::Finished(_)))), "{events:?}");
    assert_eq!(&stand_in.args(2)[..3], ["-p", "--output-format", "json"]);
}
