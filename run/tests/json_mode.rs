//! Runs constrained to the reply schema (`Constraint::JsonSchema`): the request shapes of
//! each backend, JSON replies read into the typed output and its metrics, repairs in JSON,
//! streaming; and the opt-in tolerant reading of near misses.

use agentbind_run::scripted::{ScriptedResponse, ScriptedServer};
use agentbind_run::{
    run_any, Anthropic, Constraint, ConstraintMode, OpenAiCompatible, RunDispatch, RunEvent, RunOptions,
};
use futures_util::StreamExt;
use serde_json::{json, Value};

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

#[agentbind::agent("../tests/fixtures/reviewer-schema.md")]
pub mod reviewer {}

fn dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health endpoint".into(),
        requirements: "Return 200".into(),
    }))
}

fn reply(next_steps: Value) -> String {
    json!({
        "Summary": "Added the endpoint.",
        "Implementation": "A handler.",
        "Files Changed": "- health.go",
        "Testing": "go test passes.",
        "Next Steps": next_steps,
        "Standards Compliance": null,
        "Blockers": null,
        "metrics": {"files_changed": 2, "lines_added": 40, "lines_removed": 3, "test_coverage_delta": 1.5, "execution_time_seconds": 12.0}
    })
    .to_string()
}

fn json_options() -> RunOptions {
    RunOptions::default().constrain(Constraint::JsonSchema)
}

#[tokio::test]
async fn an_openai_compatible_run_sends_the_strict_reply_schema_and_reads_the_json_back() {
    let server = ScriptedServer::start(vec![ScriptedResponse::openai(&reply(json!("None.")))]).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let dispatch = dispatch();
    let run = dispatch.run(&client, json_options()).await.unwrap();
    // The same typed output as the markdown reply.
    assert_eq!(run.output.summary.body, "Added the endpoint.");
    assert_eq!(run.output.next_steps.body, "None.");
    let attempt = &run.report.attempts[0];
    assert_eq!(attempt.constraint, ConstraintMode::JsonSchema);
    assert!(attempt.reply.starts_with('{'));
    assert!(attempt.markdown.as_deref().unwrap().starts_with("## Summary\nAdded the endpoint.\n"));
    // And its metrics.
    let metrics = run.metrics::<golang::Metrics>().unwrap();
    assert_eq!(metrics.metrics.files_changed, 2);
    assert_eq!(*metrics.metrics.test_coverage_delta, 1.5);

    let body = server.requests()[0].json().unwrap();
    let format = &body["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["strict"], true);
    assert_eq!(format["json_schema"]["name"], "backend-engineer-golang");
    assert_eq!(format["json_schema"]["schema"], dispatch.reply_schema().unwrap());
    assert!(body.get("grammar").is_none());
    // The first message asks for the JSON, not for markdown headings.
    let prompt = body["messages"][1]["content"].as_str().unwrap();
    assert!(prompt.starts_with(&dispatch.prompt()), "{prompt}");
    assert!(prompt.contains("Reply with one JSON object") && !prompt.contains("## Reply format"), "{prompt}");
}

#[tokio::test]
async fn a_server_that_takes_grammars_gets_a_bounded_schema_and_auto_prefers_the_grammar() {
    let server = ScriptedServer::repeating(ScriptedResponse::openai(&reply(json!("None.")))).await.unwrap();
    let llama = OpenAiCompatible::new(&server.url("/v1"), "").unwrap().grammars(true);
    dispatch().run(&llama, json_options().max_tokens(900)).await.unwrap();
    let schema = server.requests()[0].json().unwrap()["response_format"]["json_schema"]["schema"].clone();
    let limits = agentbind::contract::GrammarLimits::default().within_tokens(900);
    assert_eq!(schema, dispatch().reply_schema_bounded(limits).unwrap());
    assert!(schema.to_string().contains("maxLength"));
    // Auto: the grammar where there is one.
    let markdown = ScriptedServer::repeating(ScriptedResponse::openai(
        "## Summary\nA.\n\n## Implementation\nB.\n\n## Files Changed\nC.\n\n## Testing\nD.\n\n## Next Steps\nE.\n",
    ))
    .await
    .unwrap();
    let llama = OpenAiCompatible::new(&markdown.url("/v1"), "").unwrap().grammars(true);
    let run = dispatch().run(&llama, RunOptions::default().constrain(Constraint::Auto)).await.unwrap();
    assert_eq!(run.report.attempts[0].constraint, ConstraintMode::Grammar);
}

#[tokio::test]
async fn anthropic_gets_the_schema_as_its_output_config() {
    let server =
        ScriptedServer::start(vec![ScriptedResponse::anthropic(&reply(json!("None.")))]).await.unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let run = dispatch().run(&client, json_options()).await.unwrap();
    assert_eq!(run.output.testing.body, "go test passes.");
    let body = server.requests()[0].json().unwrap();
    assert_eq!(body["output_config"]["format"]["type"], "json_schema");
    assert_eq!(body["output_config"]["format"]["schema"], dispatch().reply_schema().unwrap());
}

#[tokio::test]
async fn a_json_reply_that_breaks_the_contract_is_repaired_in_json() {
    let server = ScriptedServer::start(vec![
        ScriptedResponse::openai("Sure! Here is the JSON: {"),
        ScriptedResponse::openai(&reply(json!("None."))),
    ])
    .await
    .unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let run = dispatch().run(&client, json_options()).await.unwrap();
    assert_eq!(run.report.repairs(), 1);
    let error = run.report.attempts[0].error.as_ref().unwrap();
    assert!(matches!(&error.problems()[0], agentbind::ReplyProblem::InvalidJson { .. }), "{error}");
    let feedback =
        server.requests()[1].json().unwrap()["messages"][3]["content"].as_str().unwrap().to_owned();
    assert!(
        feedback.starts_with("Your JSON reply does not meet the contract:\n- the reply is not JSON"),
        "{feedback}"
    );
    assert!(feedback.ends_with("Reply again with the complete JSON object, keeping what was right."));
}

#[tokio::test]
async fn a_value_section_and_a_routed_dispatch_read_their_json() {
    let verdict = json!({
        "VERDICT": {"value": "NEEDS_DISCUSSION", "body": "Two open points."},
        "Summary": "Reviewed.",
        "Categorized Issues": []
    })
    .to_string();
    let server = ScriptedServer::repeating(ScriptedResponse::openai(&verdict)).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let typed = reviewer::Agent::dispatch(reviewer::Input::new());
    let schema = typed.reply_schema().unwrap();
    let run = typed.run(&client, json_options()).await;
    let run = match run {
        Ok(run) => run,
        Err(error) => panic!("{error}\n{schema:#}"),
    };
    assert_eq!(run.output.verdict.value, reviewer::Verdict::NeedsDiscussion);
    let routed = agentbind::AnyDispatch::from(typed);
    let run = run_any(&routed, &client, json_options()).await.unwrap();
    assert_eq!(run.output["verdict"]["value"], "NEEDS_DISCUSSION");
    assert_eq!(run.report.attempts[0].constraint, ConstraintMode::JsonSchema);
}

#[tokio::test]
async fn a_streamed_json_run_ends_with_the_typed_output() {
    let server = ScriptedServer::start(vec![ScriptedResponse::openai_stream(&reply(json!("None.")), 30)])
        .await
        .unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let events: Vec<_> = dispatch().run_stream(&client, json_options()).collect().await;
    let Some(Ok(RunEvent::Finished(run))) = events.last() else { panic!("{events:?}") };
    assert_eq!(run.output.files_changed.body, "- health.go");
    assert!(events.iter().any(|e| matches!(e, Ok(RunEvent::Text(_)))));
}

#[tokio::test]
async fn the_tolerant_reading_accepts_near_misses_and_reports_each_rewrite() {
    let near = "# Summary\nAdded.\n\n**Implementation**\nA handler.\n\n## Files Changed:\n- a.go\n\n## testing\nok\n\n## Next Steps\nNone.\n";
    let server = ScriptedServer::repeating(ScriptedResponse::openai(near)).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    // Strict by default: the near misses are refused, and the feedback names them.
    let error = dispatch().run(&client, RunOptions::default().repairs(0)).await.unwrap_err();
    let feedback = error.reply_error().unwrap().feedback();
    assert!(feedback.contains("you wrote `**Implementation**`"), "{feedback}");
    let run = dispatch().run(&client, RunOptions::default().tolerant(true)).await.unwrap();
    assert_eq!(run.report.attempts.len(), 1);
    let rewrites: Vec<(&str, &str)> = run.report.attempts[0]
        .normalizations
        .iter()
        .map(|n| (n.found.as_str(), n.heading.as_str()))
        .collect();
    assert_eq!(
        rewrites,
        [
            ("# Summary", "## Summary"),
            ("**Implementation**", "## Implementation"),
            ("## testing", "## Testing")
        ]
    );
    // Streaming reads them the same way.
    let streaming = ScriptedServer::start(vec![ScriptedResponse::openai_stream(near, 25)]).await.unwrap();
    let client = OpenAiCompatible::new(&streaming.url("/v1"), "").unwrap();
    let events: Vec<_> = dispatch().run_stream(&client, RunOptions::default().tolerant(true)).collect().await;
    let Some(Ok(RunEvent::Finished(streamed))) = events.last() else { panic!("{events:?}") };
    assert_eq!(streamed.report.attempts[0].normalizations, run.report.attempts[0].normalizations);
}

/// A JSON value that fills the reply schema `schema` of an agent with these sections: the
/// example heading of each free heading, the first label of each value, two occurrences of a
/// repeated section, and a value of each metric's type.
fn fill(schema: &Value, sections: &[agentbind::SectionInfo<'_>]) -> Value {
    let occurrence = |section: &agentbind::SectionInfo<'_>, schema: &Value, n: usize| -> Value {
        let body = format!("Body {n} of `{}`.", section.name);
        if schema["type"] == "string" {
            return json!(body);
        }
        match schema["properties"].get("value") {
            Some(value) => json!({"value": value["enum"][0], "body": body}),
            None => json!({"heading": agentbind::example_heading(section.pattern), "body": body}),
        }
    };
    let mut reply = serde_json::Map::new();
    for section in sections {
        let property = &schema["properties"][section.name];
        let value = if let Some(items) = property.get("items") {
            json!([occurrence(section, items, 1), occurrence(section, items, 2)])
        } else if let Some(branches) = property.get("anyOf") {
            occurrence(section, &branches[0], 0)
        } else {
            occurrence(section, property, 0)
        };
        reply.insert(section.name.to_owned(), value);
    }
    if let Some(metrics) = schema["properties"].get("metrics") {
        let values: serde_json::Map<String, Value> = metrics["properties"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, kind)| {
                let value = match kind["type"].as_str() {
                    Some("boolean") => json!(true),
                    Some("integer") => json!(3),
                    _ => json!(0.5),
                };
                (name.clone(), value)
            })
            .collect();
        reply.insert("metrics".into(), Value::Object(values));
    }
    Value::Object(reply)
}

#[tokio::test]
async fn every_ring_agent_runs_in_json_mode_against_the_scripted_server() {
    use agentbind::DynAgent;
    let mut registry = agentbind_load::LoadedRegistry::new();
    registry.add_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/ring"));
    let mut ran = 0;
    for agent in registry.agents() {
        let agent: &dyn DynAgent = agent;
        let inputs: serde_json::Map<String, Value> = agent
            .inputs()
            .iter()
            .filter(|i| i.required)
            .map(|i| {
                let value = match i.kind.json_schema()["type"].as_str() {
                    Some("array") => json!([]),
                    Some("object") => json!({}),
                    Some("integer" | "number") => json!(1),
                    Some("boolean") => json!(true),
                    _ => match i.kind {
                        agentbind::InputKind::Enum(labels) => json!(labels[0]),
                        _ => json!("text"),
                    },
                };
                (i.field.to_owned(), value)
            })
            .collect();
        let dispatch = agent.dispatch_json(&Value::Object(inputs), None, None).unwrap();
        let schema = dispatch.reply_schema().unwrap();
        let reply = fill(&schema, &agent.sections()).to_string();
        let server = ScriptedServer::start(vec![ScriptedResponse::openai(&reply)]).await.unwrap();
        let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
        let run = run_any(&dispatch, &client, json_options().repairs(0))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}\n{reply}", agent.name()));
        // The output is the reply's, read as its markdown form, and the request sent the schema.
        assert_eq!(run.output, dispatch.parse_json_reply(&reply).unwrap(), "{}", agent.name());
        let body = server.requests()[0].json().unwrap();
        assert_eq!(body["response_format"]["json_schema"]["schema"], schema, "{}", agent.name());
        let markdown = run.report.attempts[0].markdown.clone().unwrap();
        assert_eq!(markdown, dispatch.json_reply_markdown(&reply).unwrap());
        if !agent.metrics().is_empty() {
            assert!(markdown.contains("\n## Metrics\n"), "{}", agent.name());
        }
        ran += 1;
    }
    assert_eq!(ran, 45);
}
