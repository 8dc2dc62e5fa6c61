//! Agent contracts enforced inside Claude Code, at both ends of a subagent call.
//!
//! [`answer`] takes one hook event and a registry ([`AgentLookup`]: compiled, loaded, or both)
//! and gives Claude Code's answer:
//!
//! - **`PreToolUse` of `Agent`/`Task`**: the prompt is read back into the subagent's inputs as
//!   `Registry::route` reads it. When a required input is missing or invalid, the call is
//!   denied with a reason that names every problem and shows the prompt layout that passes
//!   (the parent model sees it as the tool's error and can dispatch again). A valid call is
//!   allowed with the agent's reply format appended to the prompt (`updatedInput`), unless
//!   [`HookOptions::reply_format`] is off.
//! - **`SubagentStop`**: the subagent's last message is checked against its output contract,
//!   in the invocation context its prompt is in (read from the subagent's transcript). A reply
//!   that breaks it is blocked with `ReplyError::feedback()` as the reason, which Claude Code
//!   gives the subagent as its next turn; after [`HookOptions::repairs`] repairs the reply is
//!   let through.
//!
//! Subagent types without a file, and files that declare no inputs and no sections, pass
//! untouched. The policy on errors is in [`answer`].

mod event;
mod transcript;

use std::path::Path;

use agentbind::{DynAgent, InputError};
use serde::Serialize;
use serde_json::{json, Value};

pub use event::{EventError, HookEvent, PreToolUse, SubagentStop, MAX_EVENT_BYTES};
pub use transcript::MAX_TRANSCRIPT_BYTES;

use crate::registry::{AgentLookup, Lookup};

/// What every reason this hook gives starts with: Claude Code records a `SubagentStop` reason
/// in the subagent's transcript, which is how repairs are counted without any state.
pub const MARKER: &str = "[agentbind]";

/// How the hook decides.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HookOptions {
    /// Repairs a subagent gets before its reply is let through anyway (default 2): a subagent
    /// that never complies ends after 1 + `repairs` replies.
    pub repairs: u32,
    /// Whether a valid dispatch is allowed with the agent's reply format appended to its
    /// prompt (default on). Off: valid dispatches pass with no decision.
    pub reply_format: bool,
    /// Fail closed: a subagent whose agent file has problems, or a `PreToolUse` event that is
    /// not what the protocol says, denies the call instead of letting it through (default
    /// off: fail open, with the problem on stderr).
    pub strict: bool,
}

impl Default for HookOptions {
    fn default() -> Self {
        Self { repairs: 2, reply_format: true, strict: false }
    }
}

impl HookOptions {
    /// These options with `repairs` repairs.
    pub fn repairs(mut self, repairs: u32) -> Self {
        self.repairs = repairs;
        self
    }

    /// These options with the reply format appended (or not).
    pub fn reply_format(mut self, on: bool) -> Self {
        self.reply_format = on;
        self
    }

    /// These options, failing closed (or open).
    pub fn strict(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }
}

/// What the hook decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// No decision: Claude Code goes on as without the hook.
    Pass,
    /// The subagent call is allowed, its prompt completed with the reply format.
    Allow,
    /// The subagent call is denied.
    Deny,
    /// The subagent is sent back to repair its reply.
    Block,
    /// The reply still breaks the contract, but the repairs are used up: it goes through.
    GiveUp,
}

/// One decision, as `--log` writes it: the per-subagent contract record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Record {
    /// The event (`PreToolUse`, `SubagentStop`...).
    pub event: String,
    /// The subagent's type, when the event names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The subagent's id (`SubagentStop`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// The decision.
    pub decision: Decision,
    /// Every problem found (inputs or reply), one line each.
    pub problems: Vec<String>,
    /// Repairs asked of this subagent before this event (`SubagentStop`).
    pub repairs: u32,
    /// Why the hook could not check, when it could not (fail open or closed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The hook's answer in Claude Code's protocol: what to print on stdout (JSON) and stderr,
/// and the exit code (always 0: decisions are JSON).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HookAnswer {
    /// The JSON to print on stdout, when there is a decision.
    pub stdout: Option<Value>,
    /// A message for stderr (Claude Code shows it in verbose mode and in its debug log).
    pub stderr: Option<String>,
    /// The process's exit code.
    pub exit_code: i32,
    /// The decision, for logs.
    pub record: Record,
}

impl HookAnswer {
    fn new(event: &str, agent: Option<&str>, decision: Decision) -> Self {
        Self {
            stdout: None,
            stderr: None,
            exit_code: 0,
            record: Record {
                event: event.to_owned(),
                agent: agent.map(str::to_owned),
                agent_id: None,
                decision,
                problems: Vec::new(),
                repairs: 0,
                error: None,
            },
        }
    }

    fn error(mut self, message: String) -> Self {
        self.stderr = Some(format!("agentbind hook: {message}"));
        self.record.error = Some(message);
        self
    }
}

/// The answer to the hook event `input` (the JSON Claude Code writes on the hook's stdin),
/// with the agents of `agents`.
///
/// The policy on errors, per event (`strict` is [`HookOptions::strict`]):
///
/// | what | default | `strict` |
/// |---|---|---|
/// | input that is not a hook event (not JSON, no `hook_event_name`, wrong shape) | pass, message on stderr | `PreToolUse`-like input: deny; otherwise pass |
/// | `PreToolUse` for an agent whose file has problems | pass, the problems on stderr | deny, with the problems |
/// | `SubagentStop` for an agent whose file has problems | pass, the problems on stderr | pass (a block would loop) |
/// | `SubagentStop` without a readable transcript | check without a context (only unconditionally required sections), repairs counted from `stop_hook_active` | same |
/// | an event other than `PreToolUse` and `SubagentStop`, a tool other than `Agent`/`Task`, a subagent type without a file | pass | pass |
///
/// It never panics, reads at most [`MAX_EVENT_BYTES`] of input and
/// [`MAX_TRANSCRIPT_BYTES`] of transcript, and does no network I/O.
pub fn answer(input: &[u8], agents: &dyn AgentLookup, options: &HookOptions) -> HookAnswer {
    match HookEvent::from_json(input) {
        Ok(event) => answer_event(&event, agents, options),
        Err(error) => {
            let looks_like_pre_tool_use = memchr::memmem::find(input, b"PreToolUse").is_some();
            if options.strict && looks_like_pre_tool_use {
                let reason = format!("{MARKER} the hook could not read this call: {error}");
                let mut answer = deny("PreToolUse", None, reason);
                answer.record.error = Some(error.to_string());
                answer
            } else {
                HookAnswer::new("unknown", None, Decision::Pass).error(error.to_string())
            }
        }
    }
}

/// Reads one hook event from stdin (at most [`MAX_EVENT_BYTES`]), answers it over `agents`
/// and writes the answer to stdout and stderr: the whole `main` of a hook binary, which gives
/// back the answer for its exit code ([`HookAnswer::exit_code`]) and logs.
///
/// ```no_run
/// # mod checker { pub struct Agent; }
/// // A binary with its compiled registry (`agentbind::registry!(Team = checker)`), as the
/// // command of Claude Code's PreToolUse and SubagentStop hooks:
/// fn main() -> std::process::ExitCode {
///     # let team = agentbind::Registry::new(&[]);
///     let answer = agentbind_load::hook::run_stdio(&team, &agentbind_load::hook::HookOptions::default());
///     std::process::ExitCode::from(answer.exit_code as u8)
/// }
/// ```
pub fn run_stdio(agents: &dyn AgentLookup, options: &HookOptions) -> HookAnswer {
    let input = match read_stdin() {
        Ok(input) => input,
        Err(error) => {
            let answer = HookAnswer::new("unknown", None, Decision::Pass)
                .error(format!("cannot read the event on stdin: {error}"));
            write_answer(&answer);
            return answer;
        }
    };
    let answer = answer(&input, agents, options);
    write_answer(&answer);
    answer
}

/// The hook event on stdin: at most [`MAX_EVENT_BYTES`] and one byte (which [`answer`] then
/// refuses as too large).
pub fn read_stdin() -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut input = Vec::new();
    std::io::stdin().lock().take(MAX_EVENT_BYTES as u64 + 1).read_to_end(&mut input)?;
    Ok(input)
}

/// Writes `answer`'s JSON to stdout and its message to stderr.
pub fn write_answer(answer: &HookAnswer) {
    use std::io::Write;
    if let Some(stdout) = &answer.stdout {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{stdout}");
        let _ = out.flush();
    }
    if let Some(message) = &answer.stderr {
        eprintln!("{message}");
    }
}

/// [`answer`] for an event already read.
pub fn answer_event(event: &HookEvent, agents: &dyn AgentLookup, options: &HookOptions) -> HookAnswer {
    match event {
        HookEvent::PreToolUse(call) => pre_tool_use(call, agents, options),
        HookEvent::SubagentStop(stop) => subagent_stop(stop, agents, options),
        HookEvent::Other(name) => HookAnswer::new(name, None, Decision::Pass),
    }
}

/// Whether an agent has a contract: inputs to check or sections to require.
fn has_contract(agent: &dyn DynAgent) -> bool {
    !agent.inputs().is_empty() || !agent.sections().is_empty()
}

fn pre_tool_use(call: &PreToolUse, agents: &dyn AgentLookup, options: &HookOptions) -> HookAnswer {
    const EVENT: &str = "PreToolUse";
    if !call.is_subagent_call() {
        return HookAnswer::new(EVENT, None, Decision::Pass);
    }
    let name = call.subagent_type();
    let agent = match agents.lookup(name) {
        Lookup::Found(agent) => agent,
        Lookup::Missing => return HookAnswer::new(EVENT, Some(name), Decision::Pass),
        Lookup::Invalid { path, problems } => {
            let message = format!(
                "the agent file {path} of `{name}` has problems, so the call is not checked:\n{problems}"
            );
            if options.strict {
                let mut answer = deny(EVENT, Some(name), format!("{MARKER} {message}"));
                answer.record.error = Some(message);
                return answer;
            }
            return HookAnswer::new(EVENT, Some(name), Decision::Pass).error(message);
        }
    };
    if !has_contract(agent) {
        return HookAnswer::new(EVENT, Some(name), Decision::Pass);
    }
    let prompt = call.prompt();
    let dispatch = match agent.dispatch_prompt(prompt) {
        Ok(dispatch) => dispatch,
        Err(error) => {
            let mut answer = deny(EVENT, Some(name), denial_reason(agent, &error));
            answer.record.problems = error.problems.iter().map(ToString::to_string).collect();
            return answer;
        }
    };
    let format = dispatch.reply_format();
    if !options.reply_format || format.is_empty() || prompt.contains(format.trim()) {
        return HookAnswer::new(EVENT, Some(name), Decision::Pass);
    }
    let mut input = call.tool_input.clone();
    let completed = format!("{}\n\n{}", prompt.trim_end(), format.trim_end());
    if let Some(object) = input.as_object_mut() {
        object.insert("prompt".into(), Value::String(completed));
    }
    let mut answer = HookAnswer::new(EVENT, Some(name), Decision::Allow);
    answer.stdout = Some(json!({
        "hookSpecificOutput": {
            "hookEventName": EVENT,
            "permissionDecision": "allow",
            "permissionDecisionReason": format!("{MARKER} the inputs of `{name}` are complete; its reply format was added to the prompt"),
            "updatedInput": input,
        }
    }));
    answer
}

fn deny(event: &str, agent: Option<&str>, reason: String) -> HookAnswer {
    let mut answer = HookAnswer::new(event, agent, Decision::Deny);
    answer.stdout = Some(json!({
        "hookSpecificOutput": {
            "hookEventName": event,
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    }));
    answer
}

/// Every problem of the inputs, then the prompt layout that passes.
fn denial_reason(agent: &dyn DynAgent, error: &InputError) -> String {
    let mut out = format!(
        "{MARKER} The prompt does not give subagent `{}` the inputs its agent file requires:\n",
        agent.name()
    );
    for problem in &error.problems {
        out.push_str(&format!("- {problem}\n"));
    }
    out.push_str(&format!("\n{}", prompt_layout(agent).trim_end()));
    out.push_str("\n\nCall the Agent tool again with the prompt written this way.");
    out
}

/// The prompt layout a dispatch of `agent` is read back from: the context markers, and each
/// input under its `## Heading` with its type, whether it is required, and its description.
pub fn prompt_layout(agent: &dyn DynAgent) -> String {
    let mut out = String::from("Write the prompt with each input under its own heading:\n\n");
    let contexts = agent.contexts();
    let markers: Vec<String> = contexts
        .iter()
        .filter_map(|(name, marker)| marker.map(|m| format!("`{m}` (context `{name}`)")))
        .collect();
    if !markers.is_empty() {
        out.push_str(&format!(
            "(To run in an invocation context, start the prompt with its marker line: {}.)\n\n",
            markers.join(", ")
        ));
    }
    for input in agent.inputs() {
        let need = if input.required { "required" } else { "optional" };
        let mut what = format!("{}, {need}", input.kind.file_name());
        if let agentbind::InputKind::Enum(labels) = input.kind {
            what.push_str(&format!(", one of: {}", labels.join(", ")));
        }
        if matches!(input.kind, agentbind::InputKind::List(_)) {
            what.push_str(", one `- ` bullet per item");
        }
        if !input.description.is_empty() {
            what.push_str(&format!(": {}", first_line(input.description)));
        }
        out.push_str(&format!("## {}\n<{what}>\n\n", input.heading));
    }
    if agent.inputs().is_empty() {
        out.push_str("(free-form text: the agent takes no named inputs)\n");
    }
    out
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

fn subagent_stop(stop: &SubagentStop, agents: &dyn AgentLookup, options: &HookOptions) -> HookAnswer {
    const EVENT: &str = "SubagentStop";
    let Some(name) = stop.agent_type.as_deref() else {
        return HookAnswer::new(EVENT, None, Decision::Pass);
    };
    let mut answer = match agents.lookup(name) {
        Lookup::Found(agent) if !agent.sections().is_empty() => check_reply(stop, agent, options),
        Lookup::Found(_) | Lookup::Missing => HookAnswer::new(EVENT, Some(name), Decision::Pass),
        Lookup::Invalid { path, problems } => {
            HookAnswer::new(EVENT, Some(name), Decision::Pass).error(format!(
                "the agent file {path} of `{name}` has problems, so the reply is not checked:\n{problems}"
            ))
        }
    };
    answer.record.agent_id = stop.agent_id.clone();
    answer
}

fn check_reply(stop: &SubagentStop, agent: &dyn DynAgent, options: &HookOptions) -> HookAnswer {
    const EVENT: &str = "SubagentStop";
    let name = agent.name();
    let mut note = None;
    let transcript = match stop.agent_transcript_path.as_deref() {
        Some(path) => match transcript::read(Path::new(path), MARKER) {
            Ok(transcript) => Some(transcript),
            Err(error) => {
                note =
                    Some(format!("cannot read the transcript {path}: {error}; checking without a context"));
                None
            }
        },
        None => {
            note = Some("the event names no transcript; checking without a context".to_owned());
            None
        }
    };
    let context =
        transcript.as_ref().and_then(|t| t.prompt.as_deref()).and_then(|p| agent.context_of_prompt(p));
    // Without a transcript, a subagent already sent back is taken to have used its repairs,
    // so that a broken setup cannot keep one looping.
    let repairs = match &transcript {
        Some(transcript) => transcript.repairs,
        None if stop.stop_hook_active => options.repairs,
        None => 0,
    };
    let reply = stop.last_assistant_message.as_deref().unwrap_or_default();
    let mut answer = match agent.check_reply(reply, context) {
        Ok(()) => HookAnswer::new(EVENT, Some(name), Decision::Pass),
        Err(error) => {
            let problems = error.problems().iter().map(ToString::to_string).collect();
            let mut answer = if repairs >= options.repairs {
                let mut answer = HookAnswer::new(EVENT, Some(name), Decision::GiveUp);
                answer.stderr = Some(format!(
                    "agentbind hook: the reply of `{name}` still breaks its contract after {repairs} repair(s); letting it through: {error}"
                ));
                answer
            } else {
                let mut answer = HookAnswer::new(EVENT, Some(name), Decision::Block);
                let reason = format!("{MARKER} {}", error.feedback());
                answer.stdout = Some(json!({"decision": "block", "reason": reason}));
                answer
            };
            answer.record.problems = problems;
            answer
        }
    };
    answer.record.repairs = repairs;
    if let Some(note) = note {
        answer.stderr = Some(match answer.stderr.take() {
            Some(message) => format!("agentbind hook: {note}\n{message}"),
            None => format!("agentbind hook: {note}"),
        });
    }
    answer
}
