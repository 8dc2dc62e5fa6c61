//! The `serde` and `schemars` features: generated types serialize, dispatches become Task tool
//! calls, agents become Agent SDK definitions, inputs have JSON Schemas.

use agentbind::{agent_definition, input_schema};
use agentbind_corpus::{built, claude_built, golang};
use serde_json::json;

#[test]
fn inputs_serialize_and_deserialize() {
    let input = golang::Input::from(golang::RequiredInput {
        task_description: "Add /health".into(),
        requirements: "Return 200".into(),
    })
    .with_acceptance_criteria(vec!["JSON".to_string()]);
    let value = serde_json::to_value(&input).unwrap();
    assert_eq!(
        value,
        json!({
            "task_description": "Add /health",
            "requirements": "Return 200",
            "existing_code": null,
            "acceptance_criteria": ["JSON"],
        })
    );
    let back: golang::Input =
        serde_json::from_value(json!({"task_description": "t", "requirements": "r"})).unwrap();
    assert_eq!(
        back,
        golang::Input::from(golang::RequiredInput { task_description: "t".into(), requirements: "r".into() })
    );
}

#[test]
fn enums_serialize_as_their_labels() {
    let input = built::incident_responder::Input::from(built::incident_responder::RequiredInput {
        incident_description: "API down".into(),
        severity: built::incident_responder::Severity::Sev2,
    });
    assert_eq!(serde_json::to_value(&input).unwrap()["severity"], "SEV2");
    let error = serde_json::from_value::<built::incident_responder::Severity>(json!("SEV9")).unwrap_err();
    assert!(error.to_string().contains("SEV1"), "{error}");
}

#[test]
fn outputs_and_metrics_serialize() {
    let dispatch = built::code_reviewer::Agent::dispatch(built::code_reviewer::Input::new());
    let reply = "## VERDICT: PASS\n## Summary\nok\n## Issues Found\nnone\n## What Was Done Well\nall\n## Next Steps\nmerge\n";
    let output = dispatch.parse_reply(reply).unwrap();
    let value = serde_json::to_value(&output).unwrap();
    assert_eq!(value["verdict"]["value"], "PASS");
    assert_eq!(value["summary"]["body"], "ok");
    let back: built::code_reviewer::Output = serde_json::from_value(value).unwrap();
    assert_eq!(back, output);
    let metrics = golang::Metrics {
        files_changed: 2,
        test_coverage_delta: agentbind::Percentage(1.5),
        ..Default::default()
    };
    let value = serde_json::to_value(metrics).unwrap();
    assert_eq!(value["files_changed"], 2);
    assert_eq!(value["test_coverage_delta"], 1.5);
}

#[test]
fn a_dispatch_becomes_a_task_tool_call() {
    let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health".into(),
        requirements: "Return 200".into(),
    }));
    let call = dispatch.task_call("Add health endpoint");
    assert_eq!(
        call.to_json(),
        json!({
            "subagent_type": "backend-engineer-golang",
            "description": "Add health endpoint",
            "prompt": dispatch.prompt(),
            "model": "opus",
        })
    );
    // Inherit and full model ids are left out: the tool takes only aliases.
    let free = claude_built::model_full_id::Agent::dispatch(claude_built::model_full_id::Input::new())
        .with_instructions("Summarise the changelog.");
    let value = free.task_call("Summarise changelog").to_json();
    assert_eq!(value.get("model"), None);
    assert_eq!(value["prompt"], "Summarise the changelog.\n");
}

#[test]
fn agents_become_sdk_definitions() {
    let definition = agent_definition::<claude_built::tools_mcp::Agent>();
    assert_eq!(
        definition,
        json!({
            "description": "MCP tools, one for a whole server.",
            "prompt": "You are a helpful subagent.\n",
            "tools": ["Read", "mcp__github__create_issue", "mcp__slack"],
        })
    );
    assert_eq!(agent_definition::<claude_built::model_haiku::Agent>()["model"], "haiku");
}

#[test]
fn inputs_have_json_schemas() {
    let schema = input_schema::<built::incident_responder::Agent>();
    let required: Vec<&str> =
        schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, ["incident_description", "severity"]);
    assert_eq!(schema["properties"]["incident_description"]["type"], "string");
    let severity = &schema["properties"]["severity"];
    assert_eq!(severity["enum"], json!(["SEV1", "SEV2", "SEV3", "SEV4"]));
    assert_eq!(severity["description"], "Incident severity level");
    assert_eq!(schema["properties"]["timeline_events"]["items"]["type"], "object");
    assert_eq!(schema["title"], "incident-responder");
    let golang = input_schema::<golang::Agent>();
    assert_eq!(golang["properties"]["acceptance_criteria"]["type"], "array");
    // Optional inputs are left out of `required` (or sent as `null`), not typed as nullable.
    assert_eq!(golang["required"], json!(["task_description", "requirements"]));
}
