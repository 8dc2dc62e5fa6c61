//! The reply as JSON, for every agent: its schema keeps to the subset that strict structured
//! outputs accept, a reply that fills it is valid JSON Schema-wise, and it reads back into the
//! same typed `Output` and `Metrics` as its markdown form, for all 45 Ring agents in every
//! invocation context.

use agentbind::contract::schema::METRICS_KEY;
use agentbind::{example_heading, DynAgent, Registry, SectionInfo};
use agentbind_corpus::{built, claude_built};
use serde_json::{json, Map, Value};

/// The keywords a strict schema may use (OpenAI `strict: true`, Anthropic structured outputs,
/// llama.cpp); `maxLength` and `maxItems` only in bounded schemas.
const STRICT_KEYWORDS: [&str; 10] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "enum",
    "anyOf",
    "description",
    "pattern",
];

/// Checks the strict subset: every object lists every property as required and allows no
/// other; no keyword outside [`STRICT_KEYWORDS`].
fn assert_strict(schema: &Value, at: &str) {
    let Value::Object(map) = schema else { panic!("{at}: not an object: {schema}") };
    for key in map.keys() {
        assert!(STRICT_KEYWORDS.contains(&key.as_str()), "{at}: keyword `{key}`");
    }
    if map.get("type") == Some(&json!("object")) {
        assert_eq!(map["additionalProperties"], false, "{at}");
        let properties = map["properties"].as_object().unwrap();
        let mut keys: Vec<&str> = properties.keys().map(String::as_str).collect();
        let mut required: Vec<&str> =
            map["required"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        keys.sort_unstable();
        required.sort_unstable();
        assert_eq!(keys, required, "{at}: every property is required");
        for (key, value) in properties {
            assert_strict(value, &format!("{at}.{key}"));
        }
    }
    if let Some(items) = map.get("items") {
        assert_strict(items, &format!("{at}[]"));
    }
    for branch in map.get("anyOf").and_then(Value::as_array).into_iter().flatten() {
        assert_strict(branch, &format!("{at}|"));
    }
}

/// A value of the occurrence schema `schema` of `section`, number `n`.
fn occurrence(section: &SectionInfo<'_>, schema: &Value, n: usize) -> Value {
    let body = format!("Body {n} of `{}`.\n- a point", section.name);
    match schema["type"].as_str() {
        Some("string") => json!(body),
        _ if schema["properties"].get("value").is_some() => {
            let labels = schema["properties"]["value"]["enum"].as_array().unwrap();
            json!({"value": labels[n % labels.len()], "body": body})
        }
        _ => json!({"heading": example_heading(section.pattern), "body": body}),
    }
}

/// A JSON reply that fills every property of `schema` (two occurrences of a repeated section,
/// `null` for one optional section in two).
fn full_json_reply(agent: &dyn DynAgent, schema: &Value) -> Value {
    let properties = &schema["properties"];
    let mut reply = Map::new();
    for (i, section) in agent.sections().iter().enumerate() {
        let schema = &properties[section.name];
        let value = if let Some(items) = schema.get("items") {
            json!([occurrence(section, items, i), occurrence(section, items, i + 1)])
        } else if let Some(branches) = schema.get("anyOf") {
            if i % 2 == 0 {
                Value::Null
            } else {
                occurrence(section, &branches[0], i)
            }
        } else {
            occurrence(section, schema, i)
        };
        reply.insert(section.name.to_owned(), value);
    }
    if let Some(metrics) = properties.get(METRICS_KEY) {
        let values = metrics["properties"]
            .as_object()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, (name, kind))| {
                let value = match kind["type"].as_str().unwrap() {
                    "integer" => json!(i as i64 + 1),
                    "boolean" => json!(i % 2 == 0),
                    _ => json!(i as f64 + 0.25),
                };
                (name.clone(), value)
            })
            .collect();
        reply.insert(METRICS_KEY.to_owned(), Value::Object(values));
    }
    Value::Object(reply)
}

/// The agent's required inputs, as strings (every Ring input kind takes one) or their JSON.
fn required_inputs(agent: &dyn DynAgent) -> Value {
    let inputs: Map<String, Value> = agent
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
    Value::Object(inputs)
}

/// Checks every agent of `registry` in every context; gives how many schemas were checked.
fn check_registry(registry: &Registry) -> usize {
    let mut checked = 0;
    for agent in registry.agents() {
        let name = agent.name();
        let mut contexts: Vec<Option<&str>> = vec![None];
        contexts.extend(agent.contexts().iter().map(|(c, _)| Some(*c)));
        for context in contexts {
            let dispatch = agent.dispatch_json(&required_inputs(*agent), None, context).unwrap();
            let Some(schema) = dispatch.reply_schema() else {
                assert!(agent.sections().is_empty(), "{name}");
                continue;
            };
            assert_strict(&schema, name);
            jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
            let reply = full_json_reply(*agent, &schema);
            let validator = jsonschema::validator_for(&schema).unwrap();
            let errors: Vec<String> = validator.iter_errors(&reply).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{name} {context:?}: {errors:?}\n{reply:#}");
            let markdown = dispatch.json_reply_markdown(&reply.to_string()).unwrap();
            // The JSON reply is accepted, and as its markdown form is.
            let from_json = dispatch
                .parse_json_reply(&reply.to_string())
                .unwrap_or_else(|e| panic!("{name} {context:?}: {e}\n{markdown}"));
            // The contract is checked on the sections, without the metrics block after them.
            let sections = markdown.split_once("\n## Metrics\n").map_or(markdown.as_str(), |(s, _)| s);
            assert_eq!(from_json, dispatch.parse_reply(sections).unwrap(), "{name}");
            // Bounded schemas only add bounds.
            let bounded =
                dispatch.reply_schema_bounded(agentbind::contract::GrammarLimits::default()).unwrap();
            assert!(bounded.to_string().contains("maxLength"), "{name}");
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_reply_schema_is_strict_and_every_full_json_reply_is_accepted() {
    let ring = check_registry(&built::AnyAgent::REGISTRY);
    assert!(ring >= 45, "{ring}");
    check_registry(&claude_built::AnyAgent::REGISTRY);
}

/// For each typed agent: the JSON reply gives the typed `Output`, whose `to_markdown` parses
/// back to it, and every metric, read by `Metrics::from_reply` from the markdown form.
macro_rules! typed_round_trip {
    ($typed:ident, $with_metrics:ident: $($module:ident),* $(,)?) => {$({
        use built::$module as m;
        let agent = agentbind::dyn_agent::<m::Agent>();
        let input: m::Input = serde_json::from_value(required_inputs(agent)).unwrap();
        let dispatch = agentbind::Dispatch::<m::Agent>::new(input);
        let schema = dispatch.reply_schema().unwrap();
        let reply = full_json_reply(agent, &schema).to_string();
        let output: m::Output = dispatch.parse_json_reply(&reply).unwrap();
        assert_eq!(dispatch.parse_reply(&output.to_markdown()).unwrap(), output, "{}", agent.name());
        let markdown = dispatch.json_reply_markdown(&reply).unwrap();
        if !m::Metric::ALL.is_empty() {
            let metrics = m::Metrics::from_reply(&markdown).unwrap();
            assert_eq!(metrics.filled.len(), m::Metric::ALL.len(), "{}: {markdown}", agent.name());
            $with_metrics += 1;
        }
        $typed += 1;
    })*};
}

#[test]
fn json_replies_give_the_typed_output_and_metrics_of_every_ring_agent() {
    let (mut typed, mut with_metrics) = (0, 0);
    typed_round_trip!(
        typed, with_metrics:
        business_logic_reviewer,
        code_reviewer,
        codebase_explorer,
        security_reviewer,
        write_plan,
        backend_engineer_golang,
        backend_engineer_typescript,
        devops_engineer,
        frontend_bff_engineer_typescript,
        frontend_designer,
        frontend_engineer,
        prompt_quality_reviewer,
        qa_analyst,
        sre,
        accounting_specialist,
        budget_planner,
        financial_analyst,
        financial_modeler,
        metrics_analyst,
        treasury_specialist,
        finops_analyzer,
        finops_automation,
        sample_agent,
        cloud_cost_optimizer,
        incident_responder,
        infrastructure_architect,
        platform_engineer,
        security_operations,
        best_practices_researcher,
        framework_docs_researcher,
        repo_research_analyst,
        gtm_planner,
        launch_coordinator,
        market_researcher,
        messaging_specialist,
        positioning_strategist,
        pricing_analyst,
        executive_reporter,
        governance_specialist,
        portfolio_manager,
        resource_planner,
        risk_analyst,
        api_writer,
        docs_reviewer,
        functional_writer,
    );
    assert_eq!(typed, 45);
    assert!(with_metrics >= 10, "{with_metrics}");
}

/// Strict tool schemas: every agent without a free-form `object` input has one, in the strict
/// subset, and arguments that send `null` for every optional input are valid and dispatch.
fn check_strict_tools(registry: &Registry) -> (usize, usize) {
    let (mut strict, mut without) = (0, 0);
    for agent in registry.agents() {
        let name = agent.name();
        let Some(schema) = agent.input_schema_strict() else {
            assert!(agent.inputs().iter().any(|i| i.kind.file_name().contains("object")), "{name}");
            without += 1;
            continue;
        };
        assert_strict(&schema, name);
        assert_eq!(agent.openai_tool_strict().unwrap()["function"]["parameters"], schema, "{name}");
        let mut arguments = required_inputs(*agent);
        let required = agent.input_schema()["required"].clone();
        for key in schema["properties"].as_object().unwrap().keys() {
            let value = if required.as_array().unwrap().contains(&json!(key)) {
                json!("Do it.")
            } else {
                Value::Null
            };
            arguments.as_object_mut().unwrap().entry(key.clone()).or_insert(value);
        }
        if let Some(contexts) = schema["properties"].get(agentbind::CONTEXT_KEY) {
            // Not null: the first context.
            arguments[agentbind::CONTEXT_KEY] = contexts["anyOf"][0]["enum"][0].clone();
        }
        let validator = jsonschema::validator_for(&schema).unwrap();
        assert!(validator.is_valid(&arguments), "{name}: {arguments}");
        agent.dispatch_arguments(&arguments).unwrap_or_else(|e| panic!("{name}: {e}"));
        strict += 1;
    }
    (strict, without)
}

#[test]
fn every_agent_without_free_form_objects_has_a_strict_tool_schema() {
    let (ring, ring_without) = check_strict_tools(&built::AnyAgent::REGISTRY);
    let (claude, claude_without) = check_strict_tools(&claude_built::AnyAgent::REGISTRY);
    assert_eq!(ring + ring_without, 45);
    assert!(ring >= 30, "{ring} strict, {ring_without} without");
    assert!(claude + claude_without > 30, "{claude}");
}
