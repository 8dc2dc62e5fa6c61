//! The real Claude Code CLI (`scripts/claude-code.sh up` installs the pinned version) against
//! the in-process scripted Messages server: a parent that delegates to a subagent of the
//! project's `.claude/agents/`, and one that names an agent that does not exist. The server
//! tells the subagent's requests from the parent's by what they carry. Without the CLI these
//! tests pass after printing that they skipped.

#![cfg(unix)]

use std::path::Path;
use std::time::Duration;

use agentbind_run::scripted::claude_cli::{output_within, ClaudeCli, CliOutput};
use agentbind_run::scripted::{AnthropicBlock, RecordedRequest, ScriptedResponse, ScriptedServer};
use agentbind_run::{ClaudeCode, RunDispatch, RunOptions};
use serde_json::json;

/// The longest a test waits for the CLI (it takes under a second here); past it, it is killed.
const TIMEOUT: Duration = Duration::from_secs(60);

const REVIEWER_BODY: &str =
    "REVIEWER-BODY-MARKER: You are a meticulous code reviewer. Read the files you are \
pointed at and answer with a short list of findings.";
const PROMPT: &str = "Review README.md and list what is wrong with it.";
const FINDINGS: &str = "REVIEWER-FINDINGS:\n- the title is missing\n- one typo";
const PARENT_DONE: &str = "PARENT-DONE: the reviewer found two problems.";
const CALL_ID: &str = "toolu_01AGENTCALL001";

/// `.claude/agents/reviewer.md` in `project`: a plain Claude Code subagent file.
fn write_reviewer(project: &Path) {
    let agents = project.join(".claude/agents");
    std::fs::create_dir_all(&agents).unwrap();
    let file = format!(
        "---\nname: reviewer\ndescription: Reviews code changes and reports problems. Use for code review.\ntools: Read, Grep\n---\n{REVIEWER_BODY}\n"
    );
    std::fs::write(agents.join("reviewer.md"), file).unwrap();
    std::fs::write(project.join("README.md"), "hello\n").unwrap();
}

/// The parent's call of the `Agent` tool, in the foreground (by default the CLI runs agents in
/// the background and ends the turn only once they are done).
fn agent_call(subagent_type: &str) -> ScriptedResponse {
    ScriptedResponse::anthropic_blocks_stream(
        [
            AnthropicBlock::text("Delegating the review."),
            AnthropicBlock::tool_use(
                CALL_ID,
                "Agent",
                json!({"description": "Review README", "prompt": PROMPT, "subagent_type": subagent_type, "run_in_background": false}),
            ),
        ],
        "tool_use",
    )
}

fn text(reply: &str) -> ScriptedResponse {
    ScriptedResponse::anthropic_blocks_stream([AnthropicBlock::text(reply)], "end_turn")
}

/// Answers Claude Code's Messages requests from what each carries: the subagent's with its
/// findings, the parent's first (no tool result yet) with the `Agent` call, the parent's
/// second (the tool result) with the final text.
async fn server(subagent_type: &'static str) -> ScriptedServer {
    ScriptedServer::with_handler(move |request| {
        if request.path_without_query() != "/v1/messages" {
            return ScriptedResponse::json(
                404,
                &json!({"type": "error", "error": {"type": "not_found_error"}}),
            );
        }
        if request.is_claude_code_subagent() {
            if request.system_text().contains(REVIEWER_BODY) {
                return text(FINDINGS);
            }
            return text("UNEXPECTED-SUBAGENT");
        }
        if request.tool_results().is_empty() {
            agent_call(subagent_type)
        } else {
            text(PARENT_DONE)
        }
    })
    .await
    .unwrap()
}

/// Runs the CLI in `cli`'s project on `prompt` against `server`.
async fn run(cli: &ClaudeCli, server: &ScriptedServer, prompt: &str) -> CliOutput {
    let mut command = cli.command(cli.project_dir(), &server.url(""));
    command.arg(prompt);
    let output = output_within(command, TIMEOUT).await.unwrap();
    assert!(!output.timed_out, "the CLI ran past {TIMEOUT:?}: {output:?}");
    output
}

/// The Messages requests of the parent, and of the subagents.
fn split(server: &ScriptedServer) -> (Vec<RecordedRequest>, Vec<RecordedRequest>) {
    server
        .requests()
        .into_iter()
        .filter(|request| request.path_without_query() == "/v1/messages")
        .partition(|request| !request.is_claude_code_subagent())
}

#[tokio::test]
async fn a_parent_delegates_to_a_project_subagent_and_gets_its_reply() {
    let Some(cli) = ClaudeCli::find_or_skip("a_parent_delegates_to_a_project_subagent_and_gets_its_reply")
    else {
        return;
    };
    write_reviewer(cli.project_dir());
    let server = server("reviewer").await;
    let output = run(&cli, &server, "Please get README.md reviewed.").await;
    assert!(output.success(), "{output:?}");
    let result = output.json().unwrap_or_else(|| panic!("not a JSON result: {output:?}"));
    assert_eq!(result["type"], "result");
    assert_eq!(result["subtype"], "success");
    assert_eq!(result["is_error"], false);
    assert_eq!(result["result"], PARENT_DONE);
    assert_eq!(result["subagent_stats"]["spawned"], 1);
    assert_eq!(result["subagent_stats"]["by_type"]["reviewer"], 1);

    let (parent, subagent) = split(&server);
    assert_eq!((parent.len(), subagent.len()), (2, 1), "{:#?}", server.requests());
    let first = &parent[0];
    assert!(first.tool_names().iter().any(|name| name == "Agent"), "{:?}", first.tool_names());
    assert!(first.last_user_text().unwrap().ends_with("Please get README.md reviewed."));
    assert!(first.header("x-claude-code-agent-id").is_none());

    let sub = &subagent[0];
    assert!(sub.header("x-claude-code-agent-id").is_some_and(|id| !id.is_empty()));
    assert!(sub.system_text().contains("cc_is_subagent=true"));
    assert!(sub.system_text().contains(REVIEWER_BODY), "{}", sub.system_text());
    assert_eq!(sub.last_user_text().as_deref(), Some(PROMPT));
    assert_eq!(sub.tool_names(), ["Read", "Grep"]);

    let results = parent[1].tool_results();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0].tool_use_id, CALL_ID);
    assert!(!results[0].is_error);
    // The CLI frames the subagent's report and indents each of its lines by two spaces.
    for line in FINDINGS.lines() {
        assert!(results[0].text.contains(&format!("  {line}\n")), "{:?}", results[0].text);
    }
}

#[tokio::test]
async fn an_unknown_subagent_type_is_an_error_tool_result() {
    let Some(cli) = ClaudeCli::find_or_skip("an_unknown_subagent_type_is_an_error_tool_result") else {
        return;
    };
    write_reviewer(cli.project_dir());
    let server = server("nonexistent").await;
    let output = run(&cli, &server, "Please get README.md reviewed.").await;
    assert!(output.success(), "{output:?}");
    assert_eq!(output.json().unwrap()["result"], PARENT_DONE);

    let (parent, subagent) = split(&server);
    assert_eq!((parent.len(), subagent.len()), (2, 0), "{:#?}", server.requests());
    let results = parent[1].tool_results();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0].tool_use_id, CALL_ID);
    assert!(results[0].is_error);
    assert!(results[0].text.contains("Agent type 'nonexistent' not found"), "{}", results[0].text);
    assert!(results[0].text.contains("reviewer"), "{}", results[0].text);
}

#[test]
fn the_pinned_cli_reports_its_version() {
    let Some(cli) = ClaudeCli::find_or_skip("the_pinned_cli_reports_its_version") else { return };
    let version = cli.version().unwrap();
    if std::env::var_os("AGENTBIND_CLAUDE").is_none() {
        assert_eq!(version, format!("{} (Claude Code)", agentbind_run::scripted::claude_cli::PINNED_VERSION));
    }
}

// The `ClaudeCode` backend on the real CLI: here the CLI is the model's client, so the
// scripted server sees what the agent's settings made of its requests.

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

#[agentbind::agent("../tests/claude-agents/tools-comma-string.md")]
pub mod tools_listed {}

#[agentbind::agent("../tests/claude-agents/disallowed-and-permission.md")]
pub mod disallowing {}

#[agentbind::agent("../tests/claude-agents/everything.md")]
pub mod everything {}

#[agentbind::agent("tests/agents/two-turns.md")]
pub mod two_turns {}

const FULL: &str = "## Summary\nAdded the endpoint.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\ngo test passes.\n\n## Next Steps\nNone.\n";

/// A reply with only the summary, as many words long as [`FULL`] (so both calls cost the
/// same).
fn partial() -> String {
    let filler = FULL.split_whitespace().count() - 2;
    format!("## Summary\n{}\n", vec!["done"; filler].join(" "))
}

fn golang_dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health".into(),
        requirements: "It returns 200.".into(),
    }))
}

/// `future`, or a panic past [`TIMEOUT`] (dropping the call kills the CLI).
async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future).await.unwrap_or_else(|_| panic!("the CLI ran past {TIMEOUT:?}"))
}

/// The Messages requests the server received.
fn messages_requests(server: &ScriptedServer) -> Vec<RecordedRequest> {
    server.requests().into_iter().filter(|request| request.path_without_query() == "/v1/messages").collect()
}

/// The tools a request offers, sorted, without the `DeferredToolPlaceholder` the CLI adds
/// to any list (it stands for the tools reachable through `ToolSearch`).
fn offered(request: &RecordedRequest) -> Vec<String> {
    let mut names: Vec<String> =
        request.tool_names().into_iter().filter(|name| name != "DeferredToolPlaceholder").collect();
    names.sort();
    names
}

/// The text of every message of a request, of any role, joined.
fn all_message_text(request: &RecordedRequest) -> String {
    request.messages().iter().map(|message| message["content"].to_string()).collect()
}

/// The `user` and `assistant` messages of a request as (role, text of its text blocks).
fn conversation(request: &RecordedRequest) -> Vec<(String, String)> {
    request
        .messages()
        .iter()
        .filter(|message| message["role"] != "system")
        .map(|message| {
            let text = match &message["content"] {
                serde_json::Value::String(text) => text.clone(),
                content => content
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|block| block["type"] == "text")
                    .filter_map(|block| block["text"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            (message["role"].as_str().unwrap_or_default().to_owned(), text)
        })
        .collect()
}

/// A `claude` that records each call's arguments and stdin in its folder, then runs the real
/// CLI on them.
struct Recorder {
    dir: std::path::PathBuf,
}

impl Recorder {
    fn new(cli: &ClaudeCli) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let dir = cli.tmp_dir().join("recorder");
        std::fs::create_dir_all(&dir).unwrap();
        let real = cli.program().to_str().unwrap();
        assert!(!real.contains('\''), "{real}");
        let script = format!(
            "#!/bin/sh\ndir=\"$(dirname \"$0\")\"\nn=$(cat \"$dir/count\" 2>/dev/null || echo 0)\nn=$((n + 1))\necho \"$n\" > \"$dir/count\"\nprintf '%s\\0' \"$@\" > \"$dir/args.$n\"\ncat > \"$dir/stdin.$n\"\nexec '{real}' \"$@\" < \"$dir/stdin.$n\"\n"
        );
        std::fs::write(dir.join("claude"), script).unwrap();
        std::fs::set_permissions(dir.join("claude"), std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir }
    }

    /// The backend on the recorder, set up as [`ClaudeCli::claude_code`] sets up the CLI.
    fn client(&self, cli: &ClaudeCli, server: &ScriptedServer) -> ClaudeCode {
        let client =
            ClaudeCode::with_program(self.dir.join("claude")).current_dir(cli.project_dir()).env_clear();
        cli.env(&server.url("")).into_iter().fold(client, |client, (key, value)| client.env(key, value))
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

fn value_after<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).map(String::as_str)
}

#[tokio::test]
async fn the_model_is_offered_exactly_the_agents_tools() {
    let Some(cli) = ClaudeCli::find_or_skip("the_model_is_offered_exactly_the_agents_tools") else { return };
    let server = ScriptedServer::repeating(text("Listed.")).await.unwrap();
    let client = cli.claude_code(&server.url(""));
    let dispatch =
        tools_listed::Agent::dispatch(tools_listed::Input::new()).with_instructions("List the files.");
    let run = within(dispatch.run(&client, RunOptions::default())).await.unwrap();
    assert_eq!(run.output.text, "Listed.");
    assert_eq!(run.report.backend, "claude-code");

    let requests = messages_requests(&server);
    assert_eq!(requests.len(), 1, "{requests:#?}");
    // `tools: Read, Grep, Glob, Bash`: the CLI offers those and nothing else.
    assert_eq!(offered(&requests[0]), ["Bash", "Glob", "Grep", "Read"]);
    assert!(requests[0].system_text().contains(tools_listed::Agent::SYSTEM_PROMPT.trim()));
    assert!(requests[0].last_user_text().unwrap().contains("List the files."));
    assert!(!all_message_text(&requests[0]).contains("Plan mode is active"));
}

#[tokio::test]
async fn disallowed_tools_are_taken_away() {
    let Some(cli) = ClaudeCli::find_or_skip("disallowed_tools_are_taken_away") else { return };
    let server = ScriptedServer::repeating(text("Checked.")).await.unwrap();
    let client = cli.claude_code(&server.url(""));
    let dispatch = disallowing::Agent::dispatch(disallowing::Input::new()).with_instructions("Check.");
    let run = within(dispatch.run(&client, RunOptions::default())).await.unwrap();
    assert_eq!(run.output.text, "Checked.");

    // No `tools`: the CLI's own set, without `disallowedTools: Bash, Write`.
    let offered = offered(&messages_requests(&server)[0]);
    for kept in ["Agent", "Edit", "Read"] {
        assert!(offered.iter().any(|name| name == kept), "{kept} missing from {offered:?}");
    }
    for removed in ["Bash", "Write"] {
        assert!(!offered.iter().any(|name| name == removed), "{removed} offered: {offered:?}");
    }
}

#[tokio::test]
async fn the_permission_mode_and_the_model_reach_the_cli() {
    let Some(cli) = ClaudeCli::find_or_skip("the_permission_mode_and_the_model_reach_the_cli") else {
        return;
    };
    let server = ScriptedServer::repeating(text("Planned.")).await.unwrap();
    let client = cli.claude_code(&server.url(""));
    let dispatch = everything::Agent::dispatch(everything::Input::new()).with_instructions("Plan.");
    within(dispatch.run(&client, RunOptions::default())).await.unwrap();

    let request = &messages_requests(&server)[0];
    // `permissionMode: plan`: the CLI tells the model so.
    assert!(all_message_text(request).contains("Plan mode is active"), "{:?}", request.messages());
    // `tools: Read, Grep, mcp__github__search` (no such server here), `disallowedTools: [Bash]`.
    assert_eq!(offered(request), ["Grep", "Read"]);
    // `model: opus`.
    let model = request.json().unwrap()["model"].as_str().unwrap().to_owned();
    assert!(model.contains("opus"), "{model}");
}

#[tokio::test]
async fn the_turn_limit_ends_a_run_that_keeps_calling_tools() {
    let Some(cli) = ClaudeCli::find_or_skip("the_turn_limit_ends_a_run_that_keeps_calling_tools") else {
        return;
    };
    std::fs::write(cli.project_dir().join("README.md"), "hello\n").unwrap();
    let readme = cli.project_dir().join("README.md").display().to_string();
    let server = ScriptedServer::repeating(ScriptedResponse::anthropic_blocks_stream(
        [
            AnthropicBlock::text("Reading."),
            AnthropicBlock::tool_use("toolu_01READ", "Read", json!({"file_path": readme})),
        ],
        "tool_use",
    ))
    .await
    .unwrap();
    let client = cli.claude_code(&server.url(""));
    let dispatch = two_turns::Agent::dispatch(two_turns::Input::new()).with_instructions("Read README.md.");
    let error = within(dispatch.run(&client, RunOptions::default())).await.unwrap_err();
    match error.model_error() {
        Some(agentbind_run::ModelError::Process { message, .. }) => {
            assert_eq!(message, "error_max_turns: Reached maximum number of turns (2)")
        }
        other => panic!("{other:?}"),
    }
    // `maxTurns: 2`: two requests, the second with the first tool call's result.
    let requests = messages_requests(&server);
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(requests[1].tool_results().len(), 1);
    assert!(requests[1].tool_results()[0].text.contains("hello"), "{:?}", requests[1].tool_results());
}

/// Replies with [`partial`] to a conversation without an earlier reply, and with [`FULL`] to
/// one that has one (as a message, or quoted in one prompt).
async fn repairing_server() -> ScriptedServer {
    ScriptedServer::with_handler(|request| {
        let repair = request.messages().iter().any(|message| message["role"] == "assistant")
            || request.last_user_text().is_some_and(|text| text.contains("Your previous reply was:"));
        if repair {
            ScriptedResponse::anthropic_stream(FULL, 20)
        } else {
            ScriptedResponse::anthropic_stream(&partial(), 20)
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_repair_resumes_the_session_and_sends_only_the_feedback() {
    let Some(cli) = ClaudeCli::find_or_skip("a_repair_resumes_the_session_and_sends_only_the_feedback")
    else {
        return;
    };
    let server = repairing_server().await;
    let recorder = Recorder::new(&cli);
    let client = recorder.client(&cli, &server);
    let dispatch = golang_dispatch();
    let feedback = dispatch.parse_reply(partial()).unwrap_err().feedback();

    let run = within(dispatch.run(&client, RunOptions::default())).await.unwrap();
    assert_eq!(run.output, dispatch.parse_reply(FULL).unwrap());
    assert_eq!(run.report.attempts.len(), 2);
    let streamed = within(futures_util::StreamExt::collect::<Vec<_>>(
        dispatch.run_stream(&client, RunOptions::default()),
    ))
    .await;
    let Some(Ok(agentbind_run::RunEvent::Finished(streamed))) = streamed.last() else {
        panic!("{streamed:?}")
    };
    assert_eq!(streamed.output, run.output);
    assert_eq!(streamed.report.attempts.len(), 2);

    // Calls 1 and 3 start a session with the prompt; 2 and 4 resume the session the call
    // before left, sending only the feedback.
    let requests = messages_requests(&server);
    assert_eq!(requests.len(), 4, "{requests:#?}");
    for first in [0, 2] {
        let (resumed, n) = (&requests[first + 1], first + 2);
        assert_eq!(recorder.stdin(first + 1), dispatch.prompt_with_reply_format());
        assert!(!recorder.args(first + 1).contains(&"--resume".to_owned()));
        assert_eq!(recorder.stdin(n), feedback);
        let args = recorder.args(n);
        let session = requests[first].header("x-claude-code-session-id").unwrap();
        assert_eq!(value_after(&args, "--resume"), Some(session), "{args:?}");
        assert!(args.contains(&"--fork-session".to_owned()), "{args:?}");
        // The CLI sends the model the whole conversation: the prompt, the reply, the feedback.
        let conversation = conversation(resumed);
        assert_eq!(conversation.len(), 3, "{conversation:#?}");
        assert_eq!(conversation[0].0, "user");
        assert!(conversation[0].1.ends_with(&dispatch.prompt_with_reply_format()), "{conversation:#?}");
        assert_eq!(conversation[1], ("assistant".to_owned(), partial()));
        assert_eq!(conversation[2], ("user".to_owned(), feedback.clone()));
    }
    assert_eq!(recorder.args(4)[..3], ["-p", "--output-format", "stream-json"]);

    // Each attempt costs what its call cost: the CLI reports a resumed session's cost so far.
    for report in [&run.report, &streamed.report] {
        let costs: Vec<f64> = report.attempts.iter().map(|a| a.cost_usd.unwrap()).collect();
        assert!(costs[0] > 0.0, "{costs:?}");
        assert!((costs[1] - costs[0]).abs() < 1e-9, "the replies are as long: {costs:?}");
        assert!((report.cost_usd().unwrap() - costs[0] - costs[1]).abs() < 1e-12);
        let words = FULL.split_whitespace().count() as u64;
        for attempt in &report.attempts {
            assert_eq!(attempt.usage, agentbind_run::Usage::new(12, words));
        }
        assert_eq!(report.usage.total(), 2 * (12 + words));
    }
}

#[tokio::test]
async fn without_kept_sessions_a_repair_sends_the_conversation_as_one_prompt() {
    let Some(cli) =
        ClaudeCli::find_or_skip("without_kept_sessions_a_repair_sends_the_conversation_as_one_prompt")
    else {
        return;
    };
    let server = repairing_server().await;
    let client = cli.claude_code(&server.url("")).arg("--no-session-persistence");
    let dispatch = golang_dispatch();
    let run = within(dispatch.run(&client, RunOptions::default())).await.unwrap();
    assert_eq!(run.report.attempts.len(), 2);
    let requests = messages_requests(&server);
    let conversation = conversation(&requests[1]);
    assert_eq!(conversation.len(), 1, "{conversation:#?}");
    assert!(conversation[0].1.contains(&format!("Your previous reply was:\n\n{}", partial())));
    assert!(conversation[0].1.ends_with(&dispatch.parse_reply(partial()).unwrap_err().feedback()));
}

#[tokio::test]
async fn streaming_gives_sections_as_the_text_arrives_and_the_same_output_as_run() {
    let Some(cli) =
        ClaudeCli::find_or_skip("streaming_gives_sections_as_the_text_arrives_and_the_same_output_as_run")
    else {
        return;
    };
    let server = ScriptedServer::repeating(
        ScriptedResponse::anthropic_stream(FULL, 6).pause(Duration::from_millis(5)),
    )
    .await
    .unwrap();
    let client = cli.claude_code(&server.url(""));
    let dispatch = golang_dispatch();
    let events = within(futures_util::StreamExt::collect::<Vec<_>>(
        dispatch.run_stream(&client, RunOptions::default()),
    ))
    .await;
    let events: Vec<_> = events.into_iter().map(Result::unwrap).collect();
    use agentbind_run::RunEvent;
    assert!(matches!(events[0], RunEvent::AttemptStarted { attempt: 1 }));
    let texts: Vec<usize> = (0..events.len()).filter(|&i| matches!(events[i], RunEvent::Text(_))).collect();
    assert!(texts.len() > 10, "the reply came in {} pieces", texts.len());
    let text: String = events
        .iter()
        .filter_map(|event| match event {
            RunEvent::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, FULL);
    let completed: Vec<usize> =
        (0..events.len()).filter(|&i| matches!(events[i], RunEvent::SectionCompleted { .. })).collect();
    assert_eq!(completed.len(), 5);
    // Sections complete while the rest of the reply is still arriving.
    assert!(completed[0] < *texts.last().unwrap(), "{events:#?}");
    let Some(RunEvent::Finished(streamed)) = events.last() else { panic!("{events:#?}") };

    let run = within(dispatch.run(&client, RunOptions::default())).await.unwrap();
    assert_eq!(streamed.output, run.output);
    assert_eq!(streamed.output, dispatch.parse_reply(FULL).unwrap());
    assert_eq!(streamed.report.attempts[0].reply, run.report.attempts[0].reply);
    assert_eq!(streamed.report.usage, run.report.usage);
    assert_eq!(streamed.report.served_model(), run.report.served_model());
    assert!(streamed.report.cost_usd().is_some_and(|cost| cost > 0.0));
    assert_eq!(streamed.report.cost_usd(), run.report.cost_usd());
    assert_eq!(streamed.report.attempts[0].finish_reason.as_deref(), Some("success"));
}

#[tokio::test]
async fn a_reply_after_tool_calls_streams_every_turn_and_parses_as_run_does() {
    let Some(cli) =
        ClaudeCli::find_or_skip("a_reply_after_tool_calls_streams_every_turn_and_parses_as_run_does")
    else {
        return;
    };
    std::fs::write(cli.project_dir().join("README.md"), "hello\n").unwrap();
    let readme = cli.project_dir().join("README.md").display().to_string();
    let server = ScriptedServer::with_handler(move |request| {
        if request.tool_results().is_empty() {
            ScriptedResponse::anthropic_blocks_stream(
                [
                    AnthropicBlock::text("Reading the README first."),
                    AnthropicBlock::tool_use("toolu_01READ", "Read", json!({"file_path": readme})),
                ],
                "tool_use",
            )
        } else {
            ScriptedResponse::anthropic_stream(FULL, 20)
        }
    })
    .await
    .unwrap();
    let client = cli.claude_code(&server.url(""));
    let dispatch = golang_dispatch();
    let events = within(futures_util::StreamExt::collect::<Vec<_>>(
        dispatch.run_stream(&client, RunOptions::default()),
    ))
    .await;
    let Some(Ok(agentbind_run::RunEvent::Finished(streamed))) = events.last() else { panic!("{events:?}") };
    // The stream gives the text of both turns, a blank line between them; `run` gives the
    // CLI's `result`, the last turn's. The sections are the same.
    assert_eq!(streamed.report.attempts[0].reply, format!("Reading the README first.\n\n{FULL}"));
    let run = within(dispatch.run(&client, RunOptions::default())).await.unwrap();
    assert_eq!(run.report.attempts[0].reply, FULL);
    assert_eq!(streamed.output, run.output);
    assert_eq!(messages_requests(&server).len(), 4);
}

#[tokio::test]
async fn a_json_schema_run_gets_the_structured_output_of_the_real_cli() {
    let Some(cli) = ClaudeCli::find_or_skip("a_json_schema_run_gets_the_structured_output_of_the_real_cli")
    else {
        return;
    };
    let reply = json!({
        "Summary": "Added the endpoint.", "Implementation": "A handler.", "Files Changed": "- health.go",
        "Testing": "go test passes.", "Next Steps": "None.", "Standards Compliance": null, "Blockers": null,
        "metrics": {"files_changed": 1, "lines_added": 20, "lines_removed": 0, "test_coverage_delta": 2.5, "execution_time_seconds": 9.5}
    });
    let answer = reply.clone();
    let server = ScriptedServer::with_handler(move |request| {
        if request.path_without_query() != "/v1/messages" {
            return ScriptedResponse::json(
                404,
                &json!({"type": "error", "error": {"type": "not_found_error"}}),
            );
        }
        if !request.tool_names().iter().any(|name| name == "StructuredOutput") {
            return text("NO-STRUCTURED-OUTPUT-TOOL");
        }
        ScriptedResponse::anthropic_blocks_stream(
            [AnthropicBlock::tool_use("toolu_01STRUCTURED0001", "StructuredOutput", answer.clone())],
            "tool_use",
        )
    })
    .await
    .unwrap();
    let client = cli.claude_code(&server.url(""));
    let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health".into(),
        requirements: "Return 200".into(),
    }));
    let options = RunOptions::default().constrain(agentbind_run::Constraint::JsonSchema).repairs(0);
    let run = within(dispatch.run(&client, options)).await.unwrap();
    assert_eq!(run.output.summary.body, "Added the endpoint.");
    assert_eq!(run.report.attempts[0].constraint, agentbind_run::ConstraintMode::JsonSchema);
    assert_eq!(run.metrics::<golang::Metrics>().unwrap().metrics.files_changed, 1);
    // The CLI offered the model the reply schema as its StructuredOutput tool.
    let requests = messages_requests(&server);
    let tools = requests[0].json().unwrap()["tools"].clone();
    let structured =
        tools.as_array().unwrap().iter().find(|t| t["name"] == "StructuredOutput").unwrap().clone();
    assert_eq!(structured["input_schema"], dispatch.reply_schema().unwrap());
}
