//! `hook::answer` over loaded and compiled registries: every decision, the error policy, and
//! no panic on arbitrary input (property test).

use std::path::{Path, PathBuf};

use agentbind_load::hook::{answer, Decision, HookAnswer, HookOptions, MARKER};
use agentbind_load::LoadedRegistry;
use proptest::prelude::*;
use serde_json::{json, Value};

#[agentbind::agent("../cli/tests/hook-project/.claude/agents/code-checker.md")]
pub mod checker {}

agentbind::registry!(pub Team = checker);

const AGENTS: &str = "../cli/tests/hook-project/.claude/agents";
const VALID_PROMPT: &str = "## Change\n\nThe login form checks passwords.\n\n## Acceptance Criteria\n\n- rejects empty ones\n- says why";
const VALID_REPLY: &str = "## Findings\nNone.\n\n## VERDICT: PASS\n";

fn loaded() -> LoadedRegistry {
    let mut registry = LoadedRegistry::new();
    registry.add_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(AGENTS));
    registry
}

fn pre_tool_use(subagent_type: &str, prompt: &str) -> Vec<u8> {
    json!({
        "session_id": "s", "cwd": "/tmp", "hook_event_name": "PreToolUse", "tool_name": "Agent",
        "tool_input": {"description": "Check", "prompt": prompt, "subagent_type": subagent_type, "run_in_background": false},
        "tool_use_id": "toolu_1",
    })
    .to_string()
    .into_bytes()
}

fn subagent_stop(agent_type: &str, reply: &str, transcript: Option<&Path>, active: bool) -> Vec<u8> {
    json!({
        "session_id": "s", "hook_event_name": "SubagentStop", "agent_id": "a1", "agent_type": agent_type,
        "stop_hook_active": active, "agent_transcript_path": transcript, "last_assistant_message": reply,
    })
    .to_string()
    .into_bytes()
}

/// A transcript whose first user message is `prompt`, with `repairs` feedback turns.
struct Transcript(PathBuf);

impl Transcript {
    fn new(name: &str, prompt: &str, repairs: usize) -> Self {
        let path = std::env::temp_dir().join(format!("agentbind-hook-{name}-{}.jsonl", std::process::id()));
        let mut lines =
            vec![json!({"type": "user", "message": {"role": "user", "content": prompt}}).to_string()];
        for _ in 0..repairs {
            lines.push(json!({"type": "assistant", "message": {"content": [{"type": "text", "text": "## Findings"}]}}).to_string());
            let feedback =
                format!("Stop hook feedback:\n{MARKER} Your reply does not follow the required format");
            lines.push(json!({"type": "user", "message": {"role": "user", "content": [{"type": "text", "text": feedback}]}}).to_string());
        }
        std::fs::write(&path, lines.join("\n")).unwrap();
        Self(path)
    }
}

impl Drop for Transcript {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn reason(answer: &HookAnswer) -> String {
    let out = answer.stdout.as_ref().expect("a decision");
    out["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .or(out["reason"].as_str())
        .unwrap()
        .to_owned()
}

#[test]
fn a_dispatch_without_its_required_inputs_is_denied_with_every_problem_and_the_layout() {
    for registry in [&loaded() as &dyn agentbind_load::AgentLookup, &Team::REGISTRY] {
        let answer = answer(
            &pre_tool_use("code-checker", "Please check the login change."),
            registry,
            &HookOptions::default(),
        );
        assert_eq!(answer.record.decision, Decision::Deny);
        assert_eq!(answer.exit_code, 0);
        let out = answer.stdout.as_ref().unwrap();
        assert_eq!(out["hookSpecificOutput"]["hookEventName"], "PreToolUse");
        assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny");
        let text = reason(&answer);
        assert!(text.starts_with(MARKER), "{text}");
        assert!(text.contains("- missing required input `change` (string)"), "{text}");
        assert!(text.contains("- missing required input `acceptance_criteria` (list[string])"), "{text}");
        assert!(text.contains("## Change\n<string, required: What changed"), "{text}");
        assert!(text.contains("## Severity\n<string, optional, one of: low, high>"), "{text}");
        assert!(text.contains("`**MODE: SECURITY REVIEW**` (context `security-review`)"), "{text}");
        assert_eq!(answer.record.problems.len(), 2);
        // A wrong value is named too.
        let prompt = format!("{VALID_PROMPT}\n\n## Severity\n\nurgent");
        let text = reason(&answer_for(registry, &pre_tool_use("code-checker", &prompt)));
        assert!(text.contains("input `severity` is `urgent`, expected one of: low, high"), "{text}");
    }
}

fn answer_for(registry: &dyn agentbind_load::AgentLookup, input: &[u8]) -> HookAnswer {
    answer(input, registry, &HookOptions::default())
}

#[test]
fn a_valid_dispatch_is_allowed_with_the_reply_format_appended_once() {
    let registry = loaded();
    let allowed = answer_for(&registry, &pre_tool_use("code-checker", VALID_PROMPT));
    assert_eq!(allowed.record.decision, Decision::Allow);
    let out = allowed.stdout.unwrap();
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "allow");
    let input = &out["hookSpecificOutput"]["updatedInput"];
    assert_eq!(input["subagent_type"], "code-checker");
    assert_eq!(input["description"], "Check");
    assert_eq!(input["run_in_background"], false);
    let prompt = input["prompt"].as_str().unwrap();
    assert!(prompt.starts_with(VALID_PROMPT), "{prompt}");
    assert!(
        prompt.contains("## Reply format")
            && prompt.contains("`## VERDICT: <PASS|FAIL>`: required; write exactly one of: PASS, FAIL"),
        "{prompt}"
    );
    // A prompt that already has it passes as it is; so does every prompt with the option off.
    let again = answer_for(&registry, &pre_tool_use("code-checker", prompt));
    assert_eq!((again.record.decision, again.stdout), (Decision::Pass, None));
    let off = answer(
        &pre_tool_use("code-checker", VALID_PROMPT),
        &registry,
        &HookOptions::default().reply_format(false),
    );
    assert_eq!((off.record.decision, off.stdout), (Decision::Pass, None));
}

#[test]
fn what_has_no_contract_passes_untouched() {
    let registry = loaded();
    for input in [
        pre_tool_use("notes-writer", "anything"),
        pre_tool_use("general-purpose", "anything"),
        json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}})
            .to_string()
            .into_bytes(),
        json!({"hook_event_name": "PreToolUse", "tool_name": "Agent", "tool_input": {"prompt": "x"}})
            .to_string()
            .into_bytes(),
        subagent_stop("notes-writer", "no sections", None, false),
        subagent_stop("Explore", "no sections", None, false),
        json!({"hook_event_name": "Stop", "last_assistant_message": "done"}).to_string().into_bytes(),
    ] {
        let answer = answer_for(&registry, &input);
        assert_eq!(
            (answer.record.decision, &answer.stdout, &answer.stderr),
            (Decision::Pass, &None, &None),
            "{}",
            String::from_utf8_lossy(&input)
        );
    }
}

#[test]
fn the_error_policy_fails_open_by_default_and_closed_when_strict() {
    let registry = loaded();
    // An agent file with problems: not checked, the problems on stderr.
    let open = answer_for(&registry, &pre_tool_use("broken", "x"));
    assert_eq!((open.record.decision, &open.stdout), (Decision::Pass, &None));
    let stderr = open.stderr.unwrap();
    assert!(stderr.contains("broken.md") && stderr.contains("unknown input type `strng`"), "{stderr}");
    let strict = HookOptions::default().strict(true);
    let closed = answer(&pre_tool_use("broken", "x"), &registry, &strict);
    assert_eq!(closed.record.decision, Decision::Deny);
    assert!(reason(&closed).contains("unknown input type"));
    // A reply check never blocks for a broken file, strict or not.
    let stop = answer(&subagent_stop("broken", "x", None, false), &registry, &strict);
    assert_eq!((stop.record.decision, &stop.stdout), (Decision::Pass, &None));
    // Input that is not a hook event.
    for input in [
        &b"not json"[..],
        b"[1,2]",
        b"{}",
        br#"{"hook_event_name": 5}"#,
        br#"{"hook_event_name":"PreToolUse","tool_input":"#,
    ] {
        let open = answer_for(&registry, input);
        assert_eq!((open.record.decision, &open.stdout, open.exit_code), (Decision::Pass, &None, 0));
        assert!(open
            .stderr
            .unwrap()
            .starts_with("agentbind hook: the hook event is not what Claude Code sends"));
    }
    let closed = answer(br#"{"hook_event_name":"PreToolUse","tool_name": 5}"#, &registry, &strict);
    assert_eq!(closed.record.decision, Decision::Deny);
    let too_large = vec![b' '; agentbind_load::hook::MAX_EVENT_BYTES + 1];
    assert!(answer_for(&registry, &too_large).stderr.unwrap().contains("larger than"));
}

#[test]
fn a_reply_that_breaks_the_contract_is_sent_back_until_the_repairs_run_out() {
    for registry in [&loaded() as &dyn agentbind_load::AgentLookup, &Team::REGISTRY] {
        let transcript = Transcript::new("repairs-0", VALID_PROMPT, 0);
        let bad = "## Findings\nLooks fine.\n";
        let first = answer_for(registry, &subagent_stop("code-checker", bad, Some(&transcript.0), false));
        assert_eq!(first.record.decision, Decision::Block);
        assert_eq!(first.stdout.as_ref().unwrap()["decision"], "block");
        let reason = reason(&first);
        assert!(reason.starts_with(MARKER), "{reason}");
        assert!(
            reason.contains("the section `Verdict` is missing: add a line `## VERDICT: <PASS|FAIL>`"),
            "{reason}"
        );
        assert_eq!((first.record.repairs, first.record.agent_id.as_deref()), (0, Some("a1")));

        let transcript = Transcript::new("repairs-1", VALID_PROMPT, 1);
        let second = answer_for(registry, &subagent_stop("code-checker", bad, Some(&transcript.0), true));
        assert_eq!((second.record.decision, second.record.repairs), (Decision::Block, 1));
        let transcript = Transcript::new("repairs-2", VALID_PROMPT, 2);
        let last = answer_for(registry, &subagent_stop("code-checker", bad, Some(&transcript.0), true));
        assert_eq!((last.record.decision, &last.stdout, last.record.repairs), (Decision::GiveUp, &None, 2));
        assert!(last.stderr.unwrap().contains("still breaks its contract after 2 repair(s)"));
        // More repairs when asked; none at all.
        let more = answer(
            &subagent_stop("code-checker", bad, Some(&transcript.0), true),
            registry,
            &HookOptions::default().repairs(3),
        );
        assert_eq!(more.record.decision, Decision::Block);
        let none = answer(
            &subagent_stop("code-checker", bad, Some(&transcript.0), false),
            registry,
            &HookOptions::default().repairs(0),
        );
        assert_eq!(none.record.decision, Decision::GiveUp);

        let good =
            answer_for(registry, &subagent_stop("code-checker", VALID_REPLY, Some(&transcript.0), true));
        assert_eq!((good.record.decision, &good.stdout), (Decision::Pass, &None));
    }
}

#[test]
fn the_context_comes_from_the_subagents_prompt_in_its_transcript() {
    let registry = loaded();
    let security = format!("**MODE: SECURITY REVIEW**\n\n{VALID_PROMPT}");
    let transcript = Transcript::new("context", &security, 0);
    let answer =
        answer_for(&registry, &subagent_stop("code-checker", VALID_REPLY, Some(&transcript.0), false));
    assert_eq!(answer.record.decision, Decision::Block);
    assert!(reason(&answer).contains("`Security Notes` is missing (required in context `security-review`): add a line `## Security Notes`"), "{}", reason(&answer));
    let repaired = format!("{VALID_REPLY}\n## Security Notes\nNo secrets logged.\n");
    assert_eq!(
        answer_for(&registry, &subagent_stop("code-checker", &repaired, Some(&transcript.0), true))
            .record
            .decision,
        Decision::Pass
    );
    // Without the transcript, only what is always required is checked, and the note says why.
    let answer = answer_for(
        &registry,
        &subagent_stop("code-checker", VALID_REPLY, Some(Path::new("/nonexistent/t.jsonl")), false),
    );
    assert_eq!(answer.record.decision, Decision::Pass);
    assert!(answer.stderr.unwrap().contains("cannot read the transcript"));
    // A subagent already sent back, whose repairs cannot be counted, is let through.
    let answer = answer_for(&registry, &subagent_stop("code-checker", "nothing", None, true));
    assert_eq!(answer.record.decision, Decision::GiveUp);
    assert_eq!(
        answer_for(&registry, &subagent_stop("code-checker", "nothing", None, false)).record.decision,
        Decision::Block
    );
}

#[test]
fn records_serialize_as_the_log_lines() {
    let registry = loaded();
    let answer = answer_for(&registry, &pre_tool_use("code-checker", "free text"));
    let line: Value = serde_json::to_value(&answer.record).unwrap();
    assert_eq!(line["event"], "PreToolUse");
    assert_eq!(line["agent"], "code-checker");
    assert_eq!(line["decision"], "deny");
    assert_eq!(line["problems"].as_array().unwrap().len(), 2);
    assert_eq!(line["repairs"], 0);
    assert!(line.get("error").is_none());
}

/// Events made of the fields Claude Code sends, with arbitrary values.
fn event() -> impl Strategy<Value = Vec<u8>> {
    let text = prop_oneof![
        Just(String::new()),
        Just(VALID_PROMPT.to_owned()),
        Just(VALID_REPLY.to_owned()),
        Just("**MODE: SECURITY REVIEW**\n".to_owned()),
        ".{0,200}",
        "(## [A-Za-z ]{0,12}\n|- [a-z]{0,5}\n|```\n|[a-z ]{0,20}\n){0,12}",
    ];
    let name = prop_oneof![
        Just("code-checker"),
        Just("notes-writer"),
        Just("broken"),
        Just("nobody"),
        Just("plugin:x")
    ];
    let event = prop_oneof![Just("PreToolUse"), Just("SubagentStop"), Just("Stop"), Just("")];
    let tool = prop_oneof![
        Just(json!("Agent")),
        Just(json!("Task")),
        Just(json!("Bash")),
        Just(json!(7)),
        Just(Value::Null)
    ];
    (event, tool, name, text.clone(), text, any::<bool>(), any::<u8>()).prop_map(
        |(event, tool, name, prompt, reply, active, mangle)| {
            let mut value = json!({
                "hook_event_name": event, "tool_name": tool,
                "tool_input": {"subagent_type": name, "prompt": prompt},
                "agent_type": name, "last_assistant_message": reply, "stop_hook_active": active,
                "agent_transcript_path": if active { json!("/nonexistent") } else { Value::Null },
            });
            match mangle % 5 {
                0 => value["tool_input"] = json!([prompt]),
                1 => value["last_assistant_message"] = json!({"text": reply}),
                2 => value["agent_type"] = json!(5),
                _ => {}
            }
            let mut bytes = value.to_string().into_bytes();
            if mangle > 250 {
                bytes.truncate(bytes.len() / 2);
            }
            bytes
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_input_makes_the_hook_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), event in event(), strict in any::<bool>()) {
        let registry = loaded();
        let options = HookOptions::default().strict(strict);
        for input in [&bytes, &event] {
            let answer = answer(input, &registry, &options);
            prop_assert_eq!(answer.exit_code, 0);
            if let Some(stdout) = &answer.stdout {
                // Always one of the protocol's two answer shapes.
                let specific = &stdout["hookSpecificOutput"]["permissionDecision"];
                prop_assert!(specific == "allow" || specific == "deny" || stdout["decision"] == "block", "{}", stdout);
            }
        }
    }
}
