//! `agentbind hook` inside the real Claude Code CLI (`scripts/claude-code.sh up` installs the
//! pinned version): each test copies the fixture agents of `tests/hook-project` into a scratch
//! project, installs the hook there with `agentbind hook install`, and runs `claude -p` against
//! the in-process scripted Messages server, which plays the parent and the subagent from what
//! each request carries. What reaches the model (the refusal, the completed prompt, the repair
//! feedback, the reply handed back) is read from the recorded requests, and the hook's
//! decisions from its `--log`. Without the CLI these tests pass after printing that they
//! skipped.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use agentbind_run::scripted::claude_cli::{output_within, ClaudeCli, CliOutput};
use agentbind_run::scripted::{
    AnthropicBlock, RecordedRequest, ScriptedResponse, ScriptedServer, ToolResult,
};
use serde_json::{json, Value};

/// The longest a test waits for a process (a CLI run takes about a second here).
const TIMEOUT: Duration = Duration::from_secs(60);

/// The `agentbind` binary under test.
const AGENTBIND: &str = env!("CARGO_BIN_EXE_agentbind");

/// Where the body of each fixture agent starts: what tells the subagents' requests apart.
const CHECKER_BODY: &str = "CHECKER-BODY-MARKER: You check one change against its acceptance criteria.";
const NOTES_BODY: &str = "NOTES-BODY-MARKER: You write release notes.";

const PARENT_PROMPT: &str = "Please get the change to the login form checked.";
const PARENT_DONE: &str = "PARENT-DONE: the change was checked.";

/// A dispatch of `code-checker` in free text: its required inputs are not under their headings.
const FREE_TEXT: &str =
    "Please check my change to the login form: it trims whitespace from the user name now.";
/// A dispatch of `code-checker` with every required input.
const DISPATCH: &str = "## Change\nThe login form trims whitespace from the user name.\n\n\
## Acceptance Criteria\n- leading and trailing spaces are removed\n- an empty name is rejected\n";
/// The same dispatch in the `security-review` context.
const SECURITY_DISPATCH: &str = "**MODE: SECURITY REVIEW**\n\n## Change\nThe login form trims whitespace \
from the user name.\n\n## Acceptance Criteria\n- leading and trailing spaces are removed\n";
const NOTES_PROMPT: &str = "Write the release notes for version 0.2: the hook now checks subagent calls.";

/// Replies of `code-checker`.
const VALID: &str =
    "## Findings\n- the name is trimmed on both sides\n- an empty name is refused\n## VERDICT: PASS";
const NO_VERDICT: &str =
    "## Findings\n- the name is trimmed on both sides\nNO-VERDICT-REPLY: looks fine to me.";
const WITH_NOTES: &str = "## Findings\n- the name is trimmed on both sides\n## VERDICT: PASS\n\
## Security Notes\n- trimming happens before the lookup, so no account can be shadowed";
const NOTES: &str = "NOTES-REPLY: the hook now checks subagent calls.";

/// What the scripted server plays.
struct Script {
    /// The subagent type of the parent's `Agent` calls.
    agent: &'static str,
    /// The prompts of the parent's `Agent` calls: the first, then the next after each error
    /// tool result, while there are any.
    prompts: Vec<String>,
    /// The subagent's replies, turn by turn; the last one repeats.
    replies: Vec<String>,
    /// A command the parent runs with the `Bash` tool before its first `Agent` call.
    bash_first: Option<&'static str>,
}

impl Script {
    fn new(agent: &'static str, prompts: &[&str], replies: &[&str]) -> Self {
        let owned = |texts: &[&str]| texts.iter().map(|text| (*text).to_owned()).collect();
        Self { agent, prompts: owned(prompts), replies: owned(replies), bash_first: None }
    }

    /// This script with the parent running `command` with the `Bash` tool first.
    fn after_bash(mut self, command: &'static str) -> Self {
        self.bash_first = Some(command);
        self
    }

    /// The start of the body of this script's agent.
    fn body(&self) -> &'static str {
        match self.agent {
            "notes-writer" => NOTES_BODY,
            _ => CHECKER_BODY,
        }
    }

    /// The answer to one request, from what it carries: a subagent's by how many replies it
    /// already gave, a parent's by how many `Agent` calls it made and whether the last one was
    /// refused.
    fn respond(&self, request: &RecordedRequest) -> ScriptedResponse {
        if request.path_without_query() != "/v1/messages" {
            return ScriptedResponse::json(
                404,
                &json!({"type": "error", "error": {"type": "not_found_error"}}),
            );
        }
        if request.is_claude_code_subagent() {
            if !request.system_text().contains(self.body()) {
                return text("UNEXPECTED-SUBAGENT");
            }
            let turn = messages_of(request, "assistant").count();
            return text(&self.replies[turn.min(self.replies.len() - 1)]);
        }
        let calls = agent_calls(request).len();
        if let Some(command) = self.bash_first.filter(|_| tool_calls(request).is_empty()) {
            return ScriptedResponse::anthropic_blocks_stream(
                [AnthropicBlock::tool_use(
                    "toolu_01BASHCALL000",
                    "Bash",
                    json!({"command": command, "description": "Change folder"}),
                )],
                "tool_use",
            );
        }
        let refused = request.tool_results().iter().any(|result| result.is_error);
        match self.prompts.get(calls) {
            Some(prompt) if calls == 0 || refused => agent_call(calls, self.agent, prompt),
            _ => text(PARENT_DONE),
        }
    }
}

/// The id of the parent's `n`th `Agent` call.
fn call_id(n: usize) -> String {
    format!("toolu_01AGENTCALL{n:03}")
}

/// The parent's `n`th call of the `Agent` tool, in the foreground.
fn agent_call(n: usize, subagent_type: &str, prompt: &str) -> ScriptedResponse {
    ScriptedResponse::anthropic_blocks_stream(
        [
            AnthropicBlock::text("Delegating the check."),
            AnthropicBlock::tool_use(
                call_id(n),
                "Agent",
                json!({"description": "Check the change", "prompt": prompt, "subagent_type": subagent_type, "run_in_background": false}),
            ),
        ],
        "tool_use",
    )
}

fn text(reply: &str) -> ScriptedResponse {
    ScriptedResponse::anthropic_blocks_stream([AnthropicBlock::text(reply)], "end_turn")
}

/// The messages of `request` with `role`.
fn messages_of<'r>(request: &RecordedRequest, role: &'r str) -> impl Iterator<Item = Value> + 'r {
    request.messages().into_iter().filter(move |message| message["role"] == role)
}

/// The `tool_use` blocks in the history of `request` (the CLI may merge the assistant turns
/// of a history into one message, so they are counted by block).
fn tool_calls(request: &RecordedRequest) -> Vec<Value> {
    messages_of(request, "assistant")
        .filter_map(|message| message["content"].as_array().cloned())
        .flatten()
        .filter(|block| block["type"] == "tool_use")
        .collect()
}

/// The inputs of the `Agent` calls in the history of `request`.
fn agent_calls(request: &RecordedRequest) -> Vec<Value> {
    tool_calls(request)
        .into_iter()
        .filter(|call| call["name"] == "Agent")
        .map(|call| call["input"].clone())
        .collect()
}

/// Runs `agentbind` with `args`.
async fn agentbind(args: &[&str]) -> CliOutput {
    let mut command = Command::new(AGENTBIND);
    command.args(args);
    let output = output_within(command, TIMEOUT).await.unwrap();
    assert!(output.success(), "agentbind {args:?}: {output:?}");
    output
}

/// The fixture agents copied into `project`'s `.claude/agents`.
fn copy_agents(project: &Path) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hook-project/.claude/agents");
    let agents = project.join(".claude/agents");
    std::fs::create_dir_all(&agents).unwrap();
    let mut copied = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "md") {
            let name = path.file_name().unwrap();
            std::fs::copy(&path, agents.join(name)).unwrap();
            copied.push(name.to_string_lossy().into_owned());
        }
    }
    copied.sort();
    assert_eq!(copied, ["broken.md", "code-checker.md", "notes-writer.md"]);
}

/// The hook's command line in settings: this binary, logging to `project/hook.log`. Claude
/// Code runs it through a shell, so neither path may hold a space (nothing is quoted).
fn hook_command(project: &Path) -> String {
    let log = project.join("hook.log");
    assert!(!AGENTBIND.contains(char::is_whitespace), "{AGENTBIND}");
    assert!(!log.to_string_lossy().contains(char::is_whitespace), "{}", log.display());
    format!("{AGENTBIND} hook --log {}", log.display())
}

/// Installs the hook with `target` (`--project DIR` or `--settings FILE`).
async fn install(project: &Path, target: [&str; 2]) -> CliOutput {
    let command = hook_command(project);
    agentbind(&["hook", "install", target[0], target[1], "--command", &command]).await
}

/// A scratch project with the fixture agents and the hook installed in its
/// `.claude/settings.json`.
async fn project(cli: &ClaudeCli) -> PathBuf {
    let project = cli.project_dir().to_owned();
    copy_agents(&project);
    let output = install(&project, ["--project", project.to_str().unwrap()]).await;
    assert!(output.stdout.contains("added the PreToolUse hook"), "{output:?}");
    assert!(output.stdout.contains("added the SubagentStop hook"), "{output:?}");
    project
}

/// One run of the CLI and what it sent and logged.
struct Run {
    /// The `--output-format json` result.
    result: Value,
    /// The parent's Messages requests, in order.
    parent: Vec<RecordedRequest>,
    /// The subagents' Messages requests, in order.
    subagent: Vec<RecordedRequest>,
    /// The lines of `hook.log`.
    log: Vec<Value>,
}

impl Run {
    /// The tool result the parent got for its `n`th `Agent` call.
    fn tool_result(&self, n: usize) -> ToolResult {
        let id = call_id(n);
        self.parent
            .iter()
            .flat_map(RecordedRequest::tool_results)
            .find(|result| result.tool_use_id == id)
            .unwrap_or_else(|| panic!("no tool result for {id}: {:#?}", self.parent))
    }

    /// The (event, decision) of each line of the hook's log.
    fn decisions(&self) -> Vec<(String, String)> {
        let field = |record: &Value, name: &str| record[name].as_str().unwrap_or_default().to_owned();
        self.log.iter().map(|record| (field(record, "event"), field(record, "decision"))).collect()
    }

    /// The last text block of the last user message of the `n`th subagent request: the
    /// prompt of its first, the hook's feedback in a repair turn. (For an agent without a
    /// `tools:` list, which gets every tool, Bash among them, the CLI puts a `<system-reminder>`
    /// block on commit attribution before the prompt, in the same message.)
    fn subagent_text(&self, n: usize) -> String {
        let request = &self.subagent[n];
        let message = messages_of(request, "user").last();
        let text = message.and_then(|message| match &message["content"] {
            Value::String(text) => Some(text.clone()),
            Value::Array(blocks) => {
                blocks.iter().rev().find(|block| block["type"] == "text")?["text"].as_str().map(str::to_owned)
            }
            _ => None,
        });
        text.unwrap_or_else(|| panic!("no user text: {request:?}"))
    }
}

/// Runs the CLI in `project` (a project of `cli`'s) on [`PARENT_PROMPT`] against a server
/// playing `script`; checks that it ended with the parent's final text.
async fn run(cli: &ClaudeCli, project: &Path, script: Script) -> Run {
    let server = ScriptedServer::with_handler(move |request| script.respond(request)).await.unwrap();
    let mut command = cli.command(project, &server.url(""));
    command.arg(PARENT_PROMPT);
    let output = output_within(command, TIMEOUT).await.unwrap();
    assert!(!output.timed_out, "the CLI ran past {TIMEOUT:?}: {output:?}");
    let log = read_log(project);
    assert!(output.success(), "{output:?}\nhook log: {log:#?}");
    let result = output.json().unwrap_or_else(|| panic!("not a JSON result: {output:?}"));
    assert_eq!(result["result"], PARENT_DONE, "{result:#}\nhook log: {log:#?}");
    let (parent, subagent) = server
        .requests()
        .into_iter()
        .filter(|request| request.path_without_query() == "/v1/messages")
        .partition(|request| !request.is_claude_code_subagent());
    Run { result, parent, subagent, log }
}

/// The lines of `project/hook.log` (none when it is absent).
fn read_log(project: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(project.join("hook.log")).unwrap_or_default();
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

/// (event, decision) pairs, for comparing with [`Run::decisions`].
fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(event, decision)| ((*event).to_owned(), (*decision).to_owned())).collect()
}

/// Whether the tool result the parent got holds `reply` (the CLI indents each of its lines by
/// two spaces inside a frame).
fn holds_reply(result: &ToolResult, reply: &str) -> bool {
    reply.lines().all(|line| result.text.contains(&format!("  {line}\n")))
}

/// Checks that the subagent got `sent` completed with the reply format (the hook's
/// `updatedInput`): `sent`, a blank line, then `## Reply format` and a line per section,
/// `## Security Notes` last and required only in the security-review context.
fn assert_reply_format_appended(received: &str, sent: &str, security: bool) {
    let (prompt, format) = received
        .split_once("\n\n## Reply format\n")
        .unwrap_or_else(|| panic!("no reply format in the subagent's prompt: {received:?}"));
    assert_eq!(prompt, sent.trim_end());
    let lines: Vec<&str> = format.lines().collect();
    assert!(lines.contains(&"- `## Findings`: required"), "{format}");
    assert!(
        lines.contains(&"- `## VERDICT: <PASS|FAIL>`: required; write exactly one of: PASS, FAIL"),
        "{format}"
    );
    let notes = if security { "required in this context" } else { "optional" };
    assert_eq!(lines.last().copied(), Some(format!("- `## Security Notes`: {notes}").as_str()), "{format}");
}

#[tokio::test]
async fn a_dispatch_without_its_inputs_is_refused_and_the_corrected_one_gets_the_reply_format() {
    let test = "a_dispatch_without_its_inputs_is_refused_and_the_corrected_one_gets_the_reply_format";
    let Some(cli) = ClaudeCli::find_or_skip(test) else { return };
    let project = project(&cli).await;
    let run = run(&cli, &project, Script::new("code-checker", &[FREE_TEXT, DISPATCH], &[VALID])).await;

    assert_eq!((run.parent.len(), run.subagent.len()), (3, 1), "{:#?}", run.log);
    // The refusal reaches the parent model as the tool's error, with the layout that passes.
    let results = run.parent[1].tool_results();
    assert_eq!(results.len(), 1, "{results:?}");
    let refused = &results[0];
    assert_eq!(refused.tool_use_id, call_id(0));
    assert!(refused.is_error, "{refused:?}");
    for part in ["[agentbind]", "missing required input", "## Change", "## Acceptance Criteria"] {
        assert!(refused.text.contains(part), "{part:?} not in {:?}", refused.text);
    }
    let denials = run.result["permission_denials"].as_array().unwrap();
    assert_eq!(denials.len(), 1, "{denials:?}");
    assert_eq!(denials[0]["tool_use_id"], call_id(0));
    // No subagent ran for the refused call: the only one got the corrected prompt, completed.
    assert_reply_format_appended(&run.subagent_text(0), DISPATCH, false);
    assert!(run.subagent[0].system_text().contains(CHECKER_BODY));
    assert_eq!(run.result["subagent_stats"]["spawned"], 1, "{:#}", run.result);
    // The parent's own history keeps the call it made, not the hook's updated input.
    assert_eq!(agent_calls(&run.parent[2])[1]["prompt"], DISPATCH);

    let reply = run.tool_result(1);
    assert!(!reply.is_error && holds_reply(&reply, VALID), "{reply:?}");
    assert_eq!(
        run.decisions(),
        pairs(&[("PreToolUse", "deny"), ("PreToolUse", "allow"), ("SubagentStop", "pass")])
    );
    assert_eq!(run.log[0]["agent"], "code-checker");
    let problems = run.log[0]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
}

#[tokio::test]
async fn a_reply_without_its_verdict_is_sent_back_and_the_repair_reaches_the_parent() {
    let test = "a_reply_without_its_verdict_is_sent_back_and_the_repair_reaches_the_parent";
    let Some(cli) = ClaudeCli::find_or_skip(test) else { return };
    let project = project(&cli).await;
    let run = run(&cli, &project, Script::new("code-checker", &[DISPATCH], &[NO_VERDICT, VALID])).await;

    assert_eq!((run.parent.len(), run.subagent.len()), (2, 2), "{:#?}", run.log);
    assert_reply_format_appended(&run.subagent_text(0), DISPATCH, false);
    // The second turn of the same subagent: its first reply, then the hook's feedback.
    let agent_id = run.subagent[0].header("x-claude-code-agent-id");
    assert!(agent_id.is_some());
    assert_eq!(run.subagent[1].header("x-claude-code-agent-id"), agent_id);
    let history: Vec<Value> = messages_of(&run.subagent[1], "assistant").collect();
    assert_eq!(history.len(), 1);
    assert!(history[0].to_string().contains("NO-VERDICT-REPLY"), "{history:?}");
    let feedback = run.subagent_text(1);
    assert!(feedback.contains("[agentbind]"), "{feedback}");
    assert!(
        feedback.contains("the section `Verdict` is missing: add a line `## VERDICT: <PASS|FAIL>`"),
        "{feedback}"
    );

    let reply = run.tool_result(0);
    assert!(!reply.is_error && holds_reply(&reply, VALID), "{reply:?}");
    assert!(!reply.text.contains("NO-VERDICT-REPLY"), "{reply:?}");
    assert_eq!(
        run.decisions(),
        pairs(&[("PreToolUse", "allow"), ("SubagentStop", "block"), ("SubagentStop", "pass")])
    );
    let repairs: Vec<&Value> = run.log[1..].iter().map(|record| &record["repairs"]).collect();
    assert_eq!(repairs, [&json!(0), &json!(1)]);
    assert_eq!(run.log[1]["agent_id"].as_str(), agent_id);
}

#[tokio::test]
async fn a_subagent_that_never_complies_is_let_through_after_two_repairs() {
    let test = "a_subagent_that_never_complies_is_let_through_after_two_repairs";
    let Some(cli) = ClaudeCli::find_or_skip(test) else { return };
    let project = project(&cli).await;
    let attempt = |n: usize| format!("## Findings\n- ATTEMPT-{n}: the name is trimmed\nno verdict here");
    let replies: Vec<String> = (1..=12).map(attempt).collect();
    let replies: Vec<&str> = replies.iter().map(String::as_str).collect();
    let run = run(&cli, &project, Script::new("code-checker", &[DISPATCH], &replies)).await;

    // The first reply and the 2 repairs of the default, then the hook lets the last one go.
    assert_eq!((run.parent.len(), run.subagent.len()), (2, 3), "{:#?}", run.log);
    for n in 1..3 {
        let feedback = run.subagent_text(n);
        assert!(feedback.contains("[agentbind]") && feedback.contains("`Verdict`"), "{feedback}");
    }
    let reply = run.tool_result(0);
    assert!(!reply.is_error && holds_reply(&reply, &attempt(3)), "{reply:?}");
    assert!(!reply.text.contains("ATTEMPT-1") && !reply.text.contains("ATTEMPT-2"), "{reply:?}");

    assert_eq!(
        run.decisions(),
        pairs(&[
            ("PreToolUse", "allow"),
            ("SubagentStop", "block"),
            ("SubagentStop", "block"),
            ("SubagentStop", "give_up"),
        ])
    );
    let stops = &run.log[1..];
    let repairs: Vec<&Value> = stops.iter().map(|record| &record["repairs"]).collect();
    assert_eq!(repairs, [&json!(0), &json!(1), &json!(2)]);
    let agent_id = run.subagent[0].header("x-claude-code-agent-id").unwrap();
    assert!(stops.iter().all(|record| record["agent_id"] == agent_id), "{stops:#?}");
    assert!(stops.iter().all(|record| record["problems"].as_array().is_some_and(|p| p.len() == 1)));
}

#[tokio::test]
async fn a_valid_dispatch_and_reply_pass_with_one_subagent_request() {
    let test = "a_valid_dispatch_and_reply_pass_with_one_subagent_request";
    let Some(cli) = ClaudeCli::find_or_skip(test) else { return };
    let project = project(&cli).await;
    let run = run(&cli, &project, Script::new("code-checker", &[DISPATCH], &[VALID])).await;

    assert_eq!((run.parent.len(), run.subagent.len()), (2, 1), "{:#?}", run.log);
    assert_reply_format_appended(&run.subagent_text(0), DISPATCH, false);
    let reply = run.tool_result(0);
    assert!(!reply.is_error && holds_reply(&reply, VALID), "{reply:?}");
    assert_eq!(run.result["permission_denials"], json!([]));
    assert_eq!(run.decisions(), pairs(&[("PreToolUse", "allow"), ("SubagentStop", "pass")]));
    assert!(run.log.iter().all(|record| record["problems"] == json!([])), "{:#?}", run.log);
}

#[tokio::test]
async fn an_agent_without_a_contract_is_left_untouched() {
    let test = "an_agent_without_a_contract_is_left_untouched";
    let Some(cli) = ClaudeCli::find_or_skip(test) else { return };
    let project = project(&cli).await;
    let run = run(&cli, &project, Script::new("notes-writer", &[NOTES_PROMPT], &[NOTES])).await;

    assert_eq!((run.parent.len(), run.subagent.len()), (2, 1), "{:#?}", run.log);
    assert!(run.subagent[0].system_text().contains(NOTES_BODY));
    // The whole user message, every text block of it: the prompt as the parent sent it.
    assert_eq!(run.subagent[0].last_user_text().as_deref(), Some(NOTES_PROMPT));
    let reply = run.tool_result(0);
    assert!(!reply.is_error && holds_reply(&reply, NOTES), "{reply:?}");
    assert_eq!(run.decisions(), pairs(&[("PreToolUse", "pass"), ("SubagentStop", "pass")]));
    assert!(run.log.iter().all(|record| record["agent"] == "notes-writer"), "{:#?}", run.log);
}

#[tokio::test]
async fn the_security_review_context_requires_its_security_notes() {
    let test = "the_security_review_context_requires_its_security_notes";
    let Some(cli) = ClaudeCli::find_or_skip(test) else { return };
    let project = project(&cli).await;
    let run =
        run(&cli, &project, Script::new("code-checker", &[SECURITY_DISPATCH], &[VALID, WITH_NOTES])).await;

    assert_eq!((run.parent.len(), run.subagent.len()), (2, 2), "{:#?}", run.log);
    assert_reply_format_appended(&run.subagent_text(0), SECURITY_DISPATCH, true);
    // A reply that is valid outside the context misses the section the context requires.
    let feedback = run.subagent_text(1);
    assert!(feedback.contains("[agentbind]"), "{feedback}");
    assert!(
        feedback.contains(
            "the section `Security Notes` is missing (required in context `security-review`): add a line `## Security Notes`"
        ),
        "{feedback}"
    );
    // It is told to keep the sections it got right.
    assert!(feedback.contains("keep them as they are: `Findings`, `Verdict`."), "{feedback}");
    let reply = run.tool_result(0);
    assert!(!reply.is_error && holds_reply(&reply, WITH_NOTES), "{reply:?}");
    assert_eq!(
        run.decisions(),
        pairs(&[("PreToolUse", "allow"), ("SubagentStop", "block"), ("SubagentStop", "pass")])
    );
    assert_eq!(run.log[1]["problems"].as_array().map(Vec::len), Some(1), "{:#?}", run.log);
}

#[tokio::test]
async fn install_keeps_the_hooks_already_there_and_uninstall_restores_them() {
    let test = "install_keeps_the_hooks_already_there_and_uninstall_restores_them";
    let Some(cli) = ClaudeCli::find_or_skip(test) else { return };
    let project = cli.project_dir().to_owned();
    copy_agents(&project);
    let settings_path = project.join(".claude/settings.json");
    let stop_log = project.join("stop.log");
    let bash_log = project.join("bash.log");
    let original = json!({
        "cleanupPeriodDays": 99,
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [
                {"type": "command", "command": format!("sh -c 'echo bash >> {}'", bash_log.display())},
            ]}],
            "Stop": [{"hooks": [
                {"type": "command", "command": format!("sh -c 'echo stop >> {}'", stop_log.display())},
            ]}],
        },
    });
    std::fs::write(&settings_path, serde_json::to_string_pretty(&original).unwrap()).unwrap();
    let settings =
        || -> Value { serde_json::from_str(&std::fs::read_to_string(&settings_path).unwrap()).unwrap() };

    install(&project, ["--settings", settings_path.to_str().unwrap()]).await;
    let installed = settings();
    assert_eq!(installed["cleanupPeriodDays"], 99);
    assert_eq!(installed["hooks"]["Stop"], original["hooks"]["Stop"]);
    let pre = installed["hooks"]["PreToolUse"].as_array().unwrap();
    assert_eq!(pre.len(), 2, "{installed:#}");
    assert_eq!(pre[0], original["hooks"]["PreToolUse"][0]);
    assert_eq!(pre[1]["matcher"], "Agent|Task");
    assert_eq!(pre[1]["hooks"][0]["command"], hook_command(&project));
    assert_eq!(installed["hooks"]["SubagentStop"][0]["hooks"][0]["command"], hook_command(&project));
    assert_eq!(installed.as_object().unwrap().len(), 2);
    assert_eq!(installed["hooks"].as_object().unwrap().len(), 3);
    // Installing again changes nothing.
    let again = install(&project, ["--settings", settings_path.to_str().unwrap()]).await;
    assert!(again.stdout.contains("nothing to change"), "{again:?}");
    assert_eq!(settings(), installed);

    let run = run(&cli, &project, Script::new("code-checker", &[DISPATCH], &[VALID])).await;
    assert_eq!((run.parent.len(), run.subagent.len()), (2, 1), "{:#?}", run.log);
    assert_reply_format_appended(&run.subagent_text(0), DISPATCH, false);
    assert_eq!(run.decisions(), pairs(&[("PreToolUse", "allow"), ("SubagentStop", "pass")]));
    // The hooks that were there still run: the parent's Stop; no Bash call, so no Bash hook.
    assert_eq!(std::fs::read_to_string(&stop_log).unwrap(), "stop\n");
    assert!(!bash_log.exists());

    let output = agentbind(&["hook", "uninstall", "--settings", settings_path.to_str().unwrap()]).await;
    assert!(output.stdout.contains("removed the PreToolUse hook"), "{output:?}");
    assert!(output.stdout.contains("removed the SubagentStop hook"), "{output:?}");
    assert_eq!(settings(), original);
}

/// A `cd` in the parent's Bash moves the `cwd` of every later hook event (and the hook's own
/// working folder) to the subfolder, while Claude Code keeps using the project's agents
/// (`CLAUDE_PROJECT_DIR` still names the project). The hook reads the project's agents, so the
/// contract still holds (it once read `<cwd>/.claude/agents` and passed everything).
#[tokio::test]
async fn the_contract_holds_after_the_parent_changes_folder() {
    let test = "the_contract_holds_after_the_parent_changes_folder";
    let Some(cli) = ClaudeCli::find_or_skip(test) else { return };
    let project = project(&cli).await;
    std::fs::create_dir(project.join("sub")).unwrap();
    let script = Script::new("code-checker", &[DISPATCH], &[NO_VERDICT, VALID]).after_bash("cd sub && pwd");
    let run = run(&cli, &project, script).await;

    let pwd = run
        .parent
        .iter()
        .flat_map(RecordedRequest::tool_results)
        .find(|r| r.tool_use_id == "toolu_01BASHCALL000");
    assert!(pwd.is_some_and(|pwd| pwd.text.trim_end().ends_with("/sub")), "{:#?}", run.parent);
    assert!(run.subagent[0].system_text().contains(CHECKER_BODY));
    assert_eq!(
        run.decisions(),
        pairs(&[("PreToolUse", "allow"), ("SubagentStop", "block"), ("SubagentStop", "pass")])
    );
    assert_reply_format_appended(&run.subagent_text(0), DISPATCH, false);
}
