//! Agents loaded at run time behave as the same files bound at compile time: for every Ring
//! agent and every Claude Code fixture, the `LoadedAgent` of `agentbind-load` and the
//! builder's generated agent give the same `DynAgent` data, the same prompts, reply formats,
//! reply grammars and schemas, routed dispatches, parsed replies (as JSON) and reply errors.

use agentbind::{example_heading, DynAgent, InputKind, Registry};
use agentbind_corpus::{built, claude_built};
use agentbind_load::LoadedRegistry;
use serde_json::{json, Map, Value};

fn loaded(folder: &str) -> LoadedRegistry {
    let mut registry = LoadedRegistry::new();
    registry.add_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder));
    registry
}

/// A JSON value of `kind`, different per `seed`.
fn value_of(kind: &InputKind<'_>, seed: usize) -> Value {
    match kind {
        InputKind::String | InputKind::Markdown | InputKind::FilePath => {
            json!(format!("text {seed}\nsecond line"))
        }
        InputKind::FileContent => json!(format!("fn main() {{}}\n``` {seed}\n")),
        InputKind::Object => json!({"key": seed, "list": [1, 2]}),
        InputKind::Integer => json!(seed as i64 - 3),
        InputKind::Number => json!(seed as f64 + 0.5),
        InputKind::Boolean => json!(seed.is_multiple_of(2)),
        InputKind::Enum(labels) => json!(labels[seed % labels.len()]),
        InputKind::List(inner) => json!([value_of(inner, seed), value_of(inner, seed + 1)]),
    }
}

/// A reply with every section, headings made from the patterns (values: the first label).
fn full_reply(agent: &dyn DynAgent) -> String {
    let mut reply = String::from("Preamble.\n\n");
    for (i, section) in agent.sections().iter().enumerate() {
        let heading = match section.labels {
            Some(labels) => example_heading(section.pattern)
                .replace(&example_heading(&format!("({})", labels.join("|"))), labels[0]),
            None => example_heading(section.pattern),
        };
        reply.push_str(&format!("{heading}\nBody of section {i}.\n\n"));
        if section.repeated {
            reply.push_str(&format!("{heading}\nA second occurrence.\n\n"));
        }
    }
    reply
}

/// The agent's required inputs, each a value of its kind.
fn required_inputs(agent: &dyn DynAgent) -> Value {
    let inputs: Map<String, Value> = agent
        .inputs()
        .iter()
        .filter(|i| i.required)
        .map(|i| (i.field.to_owned(), value_of(&i.kind, 0)))
        .collect();
    Value::Object(inputs)
}

fn same_data(compiled: &dyn DynAgent, loaded: &dyn DynAgent) {
    let name = compiled.name();
    assert_eq!(loaded.name(), name);
    assert_eq!(loaded.description(), compiled.description(), "{name}");
    assert_eq!(loaded.model(), compiled.model(), "{name}");
    assert_eq!(loaded.model_kind(), compiled.model_kind(), "{name}");
    assert_eq!(loaded.version(), compiled.version(), "{name}");
    assert_eq!(loaded.tools(), compiled.tools(), "{name}");
    assert_eq!(loaded.color(), compiled.color(), "{name}");
    assert_eq!(loaded.claude_code(), compiled.claude_code(), "{name}");
    assert_eq!(loaded.error_handling(), compiled.error_handling(), "{name}");
    assert_eq!(loaded.system_prompt(), compiled.system_prompt(), "{name}");
    assert_eq!(loaded.inputs(), compiled.inputs(), "{name}");
    assert_eq!(loaded.sections(), compiled.sections(), "{name}");
    assert_eq!(loaded.contexts(), compiled.contexts(), "{name}");
    assert_eq!(loaded.metrics(), compiled.metrics(), "{name}");
    assert_eq!(loaded.section_matcher().patterns(), compiled.section_matcher().patterns(), "{name}");
    assert_eq!(loaded.input_schema(), compiled.input_schema(), "{name}");
}

/// Gives how many replies both accepted.
fn same_behaviour(compiled: &dyn DynAgent, loaded: &dyn DynAgent) -> usize {
    let mut accepted = 0;
    let name = compiled.name();
    let mut contexts: Vec<Option<&str>> = vec![None];
    contexts.extend(compiled.contexts().iter().map(|(c, _)| Some(*c)));
    for (seed, context) in contexts.into_iter().enumerate() {
        let mut inputs = Map::new();
        for (i, input) in compiled.inputs().iter().enumerate() {
            // Optional inputs are given in every other dispatch.
            if input.required || (seed + i).is_multiple_of(2) {
                inputs.insert(input.field.to_owned(), value_of(&input.kind, seed + i));
            }
        }
        let inputs = Value::Object(inputs);
        let instructions = Some("Keep it short.");
        let typed = compiled.dispatch_json(&inputs, instructions, context).unwrap();
        let data = loaded.dispatch_json(&inputs, instructions, context).unwrap();
        assert_eq!(data.prompt(), typed.prompt(), "{name} {context:?}");
        assert_eq!(data.reply_format(), typed.reply_format(), "{name} {context:?}");
        assert_eq!(data.prompt_with_reply_format(), typed.prompt_with_reply_format(), "{name} {context:?}");
        assert_eq!(data.context(), typed.context(), "{name}");
        assert_eq!(data.reply_grammar(), typed.reply_grammar(), "{name} {context:?}");
        assert_eq!(data.reply_schema(), typed.reply_schema(), "{name} {context:?}");
        let json_reply = r#"{"Summary": "Done.", "metrics": {"coverage": 80}}"#;
        assert_eq!(data.json_reply_markdown(json_reply), typed.json_reply_markdown(json_reply), "{name}");
        assert_eq!(data.instructions(), typed.instructions(), "{name}");

        // A Task call's prompt is read back the same way.
        let routed_typed = compiled.dispatch_prompt(&typed.prompt()).map(|d| d.prompt());
        let routed_data = loaded.dispatch_prompt(&typed.prompt()).map(|d| d.prompt());
        assert_eq!(routed_data.map_err(|e| e.problems), routed_typed.map_err(|e| e.problems), "{name}");

        for reply in [
            full_reply(compiled),
            String::from("No sections at all.\n"),
            "\u{feff}".to_owned() + &full_reply(compiled),
        ] {
            let from_typed = typed.parse_reply(&reply);
            let from_data = data.parse_reply(&reply);
            match (&from_typed, &from_data) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(b, a, "{name}: {reply}");
                    accepted += 1;
                }
                (Err(a), Err(b)) => {
                    assert_eq!(b, a, "{name}: {reply}");
                    assert_eq!(b.feedback(), a.feedback(), "{name}");
                }
                _ => panic!("{name}: {from_typed:?} / {from_data:?}\n{reply}"),
            }
            assert_eq!(
                loaded.check_reply(&reply, context).map_err(|e| e.problems().to_vec()),
                from_typed.as_ref().map(drop).map_err(|e| e.problems().to_vec()),
                "{name}"
            );
        }
    }
    accepted
}

fn compare(compiled: &Registry, folder: &str, expected: usize) -> usize {
    let mut accepted = 0;
    let loaded = loaded(folder);
    assert!(loaded.problems().is_empty(), "{:?}", loaded.problems());
    assert_eq!(loaded.names().len(), expected);
    for compiled in compiled.agents() {
        let agent =
            loaded.get(compiled.name()).unwrap_or_else(|| panic!("{} is not loaded", compiled.name()));
        same_data(*compiled, agent);
        accepted += same_behaviour(*compiled, agent);
    }
    accepted
}

#[test]
fn every_ring_agent_loaded_at_run_time_behaves_as_its_generated_bindings() {
    // Both accept the full replies of most agents (with and without a byte-order mark, in
    // each context), and refuse the others identically.
    let accepted = compare(&built::AnyAgent::REGISTRY, "../corpus/ring", 45);
    assert!(accepted >= 80, "{accepted}");
    // Every Ring agent with sections has a reply grammar.
    for agent in built::AnyAgent::REGISTRY.agents() {
        let dispatch = agent.dispatch_json(&required_inputs(*agent), None, None).unwrap();
        assert_eq!(dispatch.reply_grammar().is_ok(), !agent.sections().is_empty(), "{}", agent.name());
    }
}

#[test]
fn every_claude_code_fixture_loaded_at_run_time_behaves_as_its_generated_bindings() {
    let count = claude_built::AnyAgent::REGISTRY.agents().len();
    assert!(compare(&claude_built::AnyAgent::REGISTRY, "../claude-agents", count) >= count);
}

#[test]
fn invalid_files_are_reported_with_their_located_problems_and_never_found() {
    let mut registry = LoadedRegistry::new();
    registry.add_file(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/agents/unknown-type.md"));
    let problems = registry.problems();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].1.to_string().contains("unknown-type.md:7:13"), "{}", problems[0].1);
    assert!(registry.get("unknown-type").is_none());
    match agentbind_load::AgentLookup::lookup(&registry, "unknown-type") {
        agentbind_load::Lookup::Invalid { problems, .. } => assert!(problems.contains("unknown input type")),
        other => panic!("{other:?}"),
    }
}
