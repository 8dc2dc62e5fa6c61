//! Routing by name: registries over both binding paths, dynamic dispatch from JSON, Task calls
//! routed back to typed dispatches, and tool definitions checked as JSON Schema.

use agentbind::{DynAgent, InputProblem, Model, RouteError, SectionRequirement, TaskCall};
use agentbind_corpus::{built, claude_built, golang, Team};
use serde_json::json;

#[test]
fn a_registry_over_macro_modules_gives_what_the_agent_consts_give() {
    assert_eq!(Team.names(), ["write-plan", "backend-engineer-golang", "code-reviewer"]);
    let engineer = Team.get("backend-engineer-golang").unwrap();
    assert_eq!(engineer.model_kind(), Model::Opus);
    assert_eq!(engineer.system_prompt(), golang::Agent::SYSTEM_PROMPT);
    assert_eq!(engineer.inputs().len(), 4);
    assert_eq!(engineer.inputs()[0].field, "task_description");
    assert_eq!(engineer.inputs()[0].heading, "Task Description");
    assert!(engineer.inputs()[0].required);
    let compliance = engineer.sections().into_iter().find(|s| s.name == "Standards Compliance").unwrap();
    assert_eq!(compliance.requirement, SectionRequirement::RequiredIn(vec!["dev-refactor"]));
    assert_eq!(engineer.contexts(), [("dev-refactor", Some("**MODE: ANALYSIS ONLY**"))]);
    assert_eq!(engineer.metrics()[0], ("files_changed", agentbind::MetricKind::Integer));
    let reviewer = Team.get("code-reviewer").unwrap();
    let verdict = &reviewer.sections()[0];
    assert_eq!(verdict.labels, Some(&["PASS", "FAIL", "NEEDS_DISCUSSION"][..]));
    assert!(Team.get("nobody").is_none());
}

#[test]
fn the_builders_any_agent_has_the_same_entries() {
    let entry = built::AnyAgent::BackendEngineerGolang.entry();
    assert_eq!(entry.name(), "backend-engineer-golang");
    assert_eq!(built::AnyAgent::REGISTRY.agents().len(), 45);
    let tools = claude_built::AnyAgent::ToolsMcp.entry().tools();
    assert!(!tools.is_empty());
    assert_eq!(claude_built::AnyAgent::REGISTRY.get("everything").map(|a| a.name()), Some("everything"));
}

#[test]
fn json_inputs_become_a_dispatch_and_the_reply_comes_back_as_json() {
    let dispatch = Team
        .dispatch(
            "backend-engineer-golang",
            &json!({
                "task_description": "Add /health",
                "requirements": "Return 200",
                "acceptance_criteria": ["JSON body"],
                "invocation_context": "dev-refactor",
                "instructions": "Keep it small."
            }),
        )
        .unwrap();
    let typed = golang::Agent::dispatch(
        golang::Input::from(golang::RequiredInput {
            task_description: "Add /health".into(),
            requirements: "Return 200".into(),
        })
        .with_acceptance_criteria(vec!["JSON body".to_string()]),
    )
    .in_context(golang::InvocationContext::DevRefactor)
    .with_instructions("Keep it small.");
    assert_eq!(dispatch.prompt(), typed.prompt());
    assert_eq!(dispatch.context(), Some("dev-refactor"));
    let reply =
        "## Summary\nok\n## Implementation\nx\n## Files Changed\ny\n## Testing\nz\n## Next Steps\nn\n";
    let error = dispatch.parse_reply(reply).unwrap_err();
    assert_eq!(error.missing_sections().collect::<Vec<_>>(), ["Standards Compliance"]);
    let output = dispatch.parse_reply(&format!("{reply}## Standards Compliance\nall good\n")).unwrap();
    assert_eq!(output["summary"]["body"], "ok");
    assert_eq!(output["standards_compliance"]["body"], "all good");
}

#[test]
fn bad_json_inputs_name_every_field() {
    let error = Team
        .dispatch(
            "backend-engineer-golang",
            &json!({"task_description": 3, "acceptance_criteria": ["ok", 2], "colour": "red"}),
        )
        .unwrap_err();
    let RouteError::Input(error) = error else { panic!("{error}") };
    assert_eq!(error.agent, "backend-engineer-golang");
    let fields: Vec<String> = error
        .problems
        .iter()
        .map(|p| match p {
            InputProblem::UnknownField { field, .. } | InputProblem::WrongType { field, .. } => field.clone(),
            InputProblem::MissingField { field, .. } => field.to_string(),
            other => panic!("{other}"),
        })
        .collect();
    assert_eq!(fields, ["colour", "task_description", "requirements", "acceptance_criteria[1]"]);
    let text = error.to_string();
    assert!(text.contains("input `task_description` must be string, not an integer"), "{text}");
    assert!(text.contains("missing required input `requirements` (markdown)"), "{text}");

    let severity = built::AnyAgent::IncidentResponder
        .entry()
        .dispatch_json(&json!({"incident_description": "down", "severity": "SEV9"}), None, None)
        .unwrap_err();
    assert!(severity
        .to_string()
        .contains("input `severity` is `SEV9`, expected one of: SEV1, SEV2, SEV3, SEV4"));
    let context = Team.dispatch("code-reviewer", &json!({"invocation_context": "nowhere"})).unwrap_err();
    assert!(context.to_string().contains("nowhere"), "{context}");
    let unknown = Team.dispatch("nobody", &json!({})).unwrap_err();
    assert!(unknown.to_string().contains("known agents: write-plan, backend-engineer-golang, code-reviewer"));
}

#[test]
fn task_calls_deserialize_and_route_back_to_the_same_dispatch() {
    let typed = golang::Agent::dispatch(
        golang::Input::from(golang::RequiredInput {
            task_description: "Add /health".into(),
            requirements: "Return 200\n\n- with build info".into(),
        })
        .with_existing_code("fn main() {}\n")
        .with_acceptance_criteria(vec!["JSON".to_string(), "two\nlines".to_string()]),
    )
    .in_context(golang::InvocationContext::DevRefactor);
    let json = typed.task_call("Add health endpoint").to_json();
    let call = TaskCall::from_json(&json).unwrap();
    assert_eq!(call.subagent_type, "backend-engineer-golang");
    assert_eq!(call.model.as_deref(), Some("opus"));
    let routed = Team.route(&call).unwrap();
    assert_eq!(routed.prompt(), typed.prompt());
    assert_eq!(routed.context(), Some("dev-refactor"));

    // A prompt that is a JSON object is read as the tool arguments.
    let call: TaskCall = serde_json::from_value(json!({
        "subagent_type": "backend-engineer-golang",
        "description": "health",
        "prompt": "{\"task_description\": \"Add /health\", \"requirements\": \"Return 200\"}"
    }))
    .unwrap();
    assert_eq!(
        Team.route(&call).unwrap().prompt(),
        golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
            task_description: "Add /health".into(),
            requirements: "Return 200".into()
        }))
        .prompt()
    );

    // A subagent without inputs takes the prompt as its instructions.
    let free = claude_built::AnyAgent::REGISTRY
        .route(&TaskCall::new("minimal", "x", "Summarise the changelog.".into(), Model::Inherit))
        .unwrap();
    assert_eq!(free.instructions(), "Summarise the changelog.");

    let missing = Team.route(&TaskCall::new(
        "backend-engineer-golang",
        "x",
        "## Task Description\n\nonly this\n".into(),
        Model::Opus,
    ));
    assert!(missing.unwrap_err().to_string().contains("missing required input `requirements`"));
}

#[test]
fn tool_definitions_are_valid_json_schema_and_accept_what_dispatch_accepts() {
    for agent in built::AnyAgent::REGISTRY.agents().iter().chain(claude_built::AnyAgent::REGISTRY.agents()) {
        let schema = agent.input_schema();
        assert_eq!(schema["title"], agent.name());
        assert_eq!(schema["description"], agent.description());
        jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{}: {e}", agent.name()));
        let openai = agent.openai_tool();
        assert_eq!(openai["type"], "function");
        assert_eq!(openai["function"]["parameters"], schema);
        let anthropic = agent.anthropic_tool();
        assert_eq!(anthropic["input_schema"], schema);
        let name = anthropic["name"].as_str().unwrap();
        assert!(
            !name.is_empty()
                && name.len() <= 64
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{name}"
        );
    }
    let engineer = Team.get("backend-engineer-golang").unwrap();
    let schema = engineer.input_schema();
    assert_eq!(
        schema["properties"]["acceptance_criteria"]["description"],
        "List of acceptance criteria to satisfy"
    );
    assert_eq!(schema["required"], json!(["task_description", "requirements"]));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let good = json!({"task_description": "t", "requirements": "r", "invocation_context": "dev-refactor"});
    assert!(validator.is_valid(&good));
    assert!(Team.dispatch(engineer.name(), &good).is_ok());
    let bad = json!({"task_description": "t"});
    assert!(!validator.is_valid(&bad));
    assert!(Team.dispatch(engineer.name(), &bad).is_err());
    // Claude Code subagents take free-form instructions, which are then required.
    let minimal = claude_built::AnyAgent::REGISTRY.get("minimal").unwrap().input_schema();
    assert_eq!(minimal["required"], json!(["instructions"]));
    let _: &dyn DynAgent = engineer;
}
