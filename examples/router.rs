//! A small router: a Task tool call (JSON, as an orchestrating model sends it) is routed by
//! `subagent_type` to a typed dispatch, and the agent's reply is checked and given back as JSON.
//!
//! ```sh
//! cargo run --example router --features serde
//! ```

use agentbind::{Registry, TaskCall};

#[agentbind::agent("examples/agents/backend-engineer-golang.md")]
pub mod golang {}

#[agentbind::agent("tests/corpus/ring/default/agents/code-reviewer.md")]
pub mod reviewer {}

agentbind::registry!(
    /// The agents this orchestrator routes to.
    pub Team = golang, reviewer
);

/// What a model would answer; here a canned reply per agent.
fn call_model(agent: &str, _system_prompt: &str, _prompt: &str) -> String {
    match agent {
        "code-reviewer" => "## VERDICT: **PASS** ✅\n\n## Summary\nSmall and clear.\n\n## Issues Found\nNone.\n\n## What Was Done Well\nTests.\n\n## Next Steps\nMerge.\n".into(),
        _ => "## Summary\nAdded /health.\n\n## Implementation\nA handler.\n\n## Files Changed\nmain.go\n\n## Testing\ngo test\n\n## Next Steps\nDeploy.\n".into(),
    }
}

fn route(team: &Registry, call_json: &str) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let call: TaskCall = serde_json::from_str(call_json)?;
    let dispatch = team.route(&call)?;
    let agent = dispatch.agent();
    let reply = call_model(agent.name(), agent.system_prompt(), &dispatch.prompt_with_reply_format());
    Ok(dispatch.parse_reply(&reply)?)
}

fn main() {
    println!("tools offered to the model: {}", Team.openai_tools().as_array().map_or(0, Vec::len));
    let calls = [
        // The prompt as `Dispatch::prompt` writes it: inputs under their headings.
        r###"{"subagent_type": "backend-engineer-golang", "description": "Add health endpoint",
             "prompt": "## Task Description\n\nAdd /health\n\n## Requirements\n\nReturn 200 with build info\n"}"###,
        // A prompt that is JSON tool arguments.
        r###"{"subagent_type": "code-reviewer", "description": "Review PR 42",
             "prompt": "{\"instructions\": \"Review the diff of PR 42.\"}"}"###,
        // Mistakes are typed errors that name the agent and the field.
        r###"{"subagent_type": "backend-engineer-golang", "description": "x", "prompt": "{\"task_description\": 3}"}"###,
        r###"{"subagent_type": "deploy-bot", "description": "x", "prompt": "ship it"}"###,
    ];
    let mut failures = 0;
    for call in calls {
        match route(&Team, call) {
            Ok(output) => println!("{}", serde_json::to_string_pretty(&output).unwrap_or_default()),
            Err(error) => {
                failures += 1;
                println!("error: {error}");
            }
        }
    }
    println!("{failures} of {} calls refused", calls.len());
}
