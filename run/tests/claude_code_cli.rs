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
