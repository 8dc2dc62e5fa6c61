//! The Claude Code backend against a stand-in `claude` executable: the real one cannot reach
//! its service here. The stand-in records its arguments and stdin and prints scripted output.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use agentbind::Model;
use agentbind_run::{ClaudeCode, ModelError, RunDispatch, RunOptions, Usage};

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

#[agentbind::agent("../tests/claude-agents/tools-yaml-list.md")]
pub mod lister {}

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

#[tokio::test]
async fn runs_claude_print_with_the_agents_prompt_model_and_tools() {
    let stand_in = StandIn::new("basic");
    stand_in.script(1, &result(FULL), "", 0);
    let client = ClaudeCode::with_program(stand_in.program()).arg("--max-turns").arg("3");
    let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health".into(),
        requirements: "200".into(),
    }));
    let run = dispatch.run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.output, dispatch.parse_reply(FULL).unwrap());
    assert_eq!(run.report.backend, "claude-code");
    assert_eq!(run.report.usage, Usage { input_tokens: 15, output_tokens: 7 });
    assert_eq!(run.report.served_model(), Some("claude-opus-4-1-20250805"));

    let args = stand_in.args(1);
    assert_eq!(&args[..3], ["-p", "--output-format", "json"]);
    assert_eq!(value_after(&args, "--system-prompt"), Some(golang::Agent::SYSTEM_PROMPT));
    assert_eq!(value_after(&args, "--model"), Some("opus"));
    assert_eq!(value_after(&args, "--max-turns"), Some("3"));
    assert!(!args.contains(&"--allowedTools".to_owned()), "the agent restricts no tools");
    assert_eq!(stand_in.stdin(1), dispatch.prompt_with_reply_format());
}

#[tokio::test]
async fn tools_become_allowed_tools_and_inherit_sends_no_model() {
    let stand_in = StandIn::new("tools");
    stand_in.script(1, &result("Listed."), "", 0);
    let client = ClaudeCode::with_program(stand_in.program());
    let run = lister::Agent::dispatch(lister::Input::new())
        .with_instructions("List the files.")
        .run(&client, RunOptions::default())
        .await
        .unwrap();
    assert_eq!(run.output.text, "Listed.");
    let args = stand_in.args(1);
    assert_eq!(value_after(&args, "--allowedTools"), Some("Read,Write,Edit,LS"));
    assert!(!args.contains(&"--model".to_owned()));

    let mapped = ClaudeCode::with_program(stand_in.program()).map_model(Model::Inherit, "haiku");
    stand_in.script(2, &result("Listed."), "", 0);
    lister::Agent::dispatch(lister::Input::new()).run(&mapped, RunOptions::default()).await.unwrap();
    assert_eq!(value_after(&stand_in.args(2), "--model"), Some("haiku"));
}

#[tokio::test]
async fn a_repair_sends_the_conversation_as_one_prompt() {
    let stand_in = StandIn::new("repair");
    stand_in.script(1, &result("## Summary\nDone.\n"), "", 0).script(2, &result(FULL), "", 0);
    let client = ClaudeCode::with_program(stand_in.program());
    let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health".into(),
        requirements: "200".into(),
    }));
    let run = dispatch.run(&client, RunOptions::default()).await.unwrap();
    assert_eq!(run.report.attempts.len(), 2);
    let second = stand_in.stdin(2);
    assert!(second.starts_with(&dispatch.prompt_with_reply_format()), "{second}");
    assert!(second.contains("Your previous reply was:\n\n## Summary\nDone.\n"), "{second}");
    assert!(
        second.ends_with(&dispatch.parse_reply("## Summary\nDone.\n").unwrap_err().feedback()),
        "{second}"
    );
}

async fn error_of(stand_in: &StandIn) -> agentbind_run::RunError {
    let client = ClaudeCode::with_program(stand_in.program());
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }))
    .run(&client, RunOptions::default())
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
    assert_eq!(run.report.usage, Usage { input_tokens: u64::MAX, output_tokens: u64::MAX });
}

fn dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }))
}
