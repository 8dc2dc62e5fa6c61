//! The conformance table: every Ring agent (loaded at run time from `tests/corpus/ring`), a
//! few dispatches each with inputs made from its input table, run against a real model in
//! each mode, and how often the replies meet the contract.
//!
//! ```sh
//! scripts/local-model.sh up
//! cargo run --release -p agentbind-load --example conformance [dispatches per agent]
//! ```
//!
//! `AGENTBIND_BASE_URL` (default `http://127.0.0.1:8080/v1`) and `AGENTBIND_MODEL` (default
//! `smollm2-135m-instruct`) choose the server, `AGENTBIND_MODES` the modes (`bare`, `format`,
//! `tolerant`, `grammar`, `json`; default `bare,format,grammar,json`) and `AGENTBIND_MAX_TOKENS` the reply limit (default 512). Agents whose prompt does not fit the model's
//! context are listed, not skipped silently.

use std::path::Path;
use std::time::{Duration, Instant};

use agentbind::{DynAgent, InputKind};
use agentbind_load::LoadedRegistry;
use agentbind_run::{run_any, Constraint, ModelError, OpenAiCompatible, RunOptions};
use serde_json::{json, Map, Value};

/// One way of running a dispatch.
struct Mode {
    name: &'static str,
    options: RunOptions,
}

/// What one mode gave over every dispatch.
#[derive(Default)]
struct Tally {
    dispatches: usize,
    first_attempt: usize,
    accepted: usize,
    attempts: usize,
    accepted_tokens: u64,
    wall: Duration,
}

/// A JSON value of `kind` for dispatch `seed`.
fn value_of(kind: &InputKind<'_>, seed: usize) -> Value {
    match kind {
        InputKind::String | InputKind::Markdown => {
            json!(format!("Add input validation to the signup form (case {seed})."))
        }
        InputKind::FilePath => json!(format!("src/signup_{seed}.rs")),
        InputKind::FileContent => json!("fn signup(email: &str) -> bool {\n    !email.is_empty()\n}\n"),
        InputKind::Object => json!({"service": "signup", "case": seed}),
        InputKind::Integer => json!(seed as i64 + 1),
        InputKind::Number => json!(seed as f64 + 0.5),
        InputKind::Boolean => json!(seed.is_multiple_of(2)),
        InputKind::Enum(labels) => json!(labels[seed % labels.len()]),
        InputKind::List(inner) => json!([value_of(inner, seed), value_of(inner, seed + 1)]),
    }
}

fn inputs(agent: &dyn DynAgent, seed: usize) -> Value {
    let inputs: Map<String, Value> =
        agent.inputs().iter().map(|i| (i.field.to_owned(), value_of(&i.kind, seed))).collect();
    Value::Object(inputs)
}

/// Whether the server refused the request for its size (llama.cpp: HTTP 400,
/// `exceed_context_size_error`).
fn too_long(error: &ModelError) -> bool {
    matches!(error, ModelError::ContextExceeded { .. })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let per_agent: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(2);
    // `AGENTBIND_VERBOSE`: every attempt's finish reason, error and reply start on stderr.
    let verbose = std::env::var_os("AGENTBIND_VERBOSE").is_some();
    // `AGENTBIND_AGENTS`: only these agents (comma-separated names), for a quick look.
    let only: Option<Vec<String>> = std::env::var("AGENTBIND_AGENTS")
        .ok()
        .map(|names| names.split(',').map(|n| n.trim().to_owned()).collect());
    let url = std::env::var("AGENTBIND_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080/v1".to_owned());
    let model = std::env::var("AGENTBIND_MODEL").unwrap_or_else(|_| "smollm2-135m-instruct".to_owned());
    let client = OpenAiCompatible::new(&url, "").expect("a valid URL").with_model(&model).grammars(true);
    let mut registry = LoadedRegistry::new();
    registry.add_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/ring"));
    let max_tokens: u32 =
        std::env::var("AGENTBIND_MAX_TOKENS").ok().and_then(|t| t.parse().ok()).unwrap_or(512);
    let wanted = std::env::var("AGENTBIND_MODES").unwrap_or_else(|_| "bare,format,grammar,json".to_owned());
    let all_modes = [
        (
            "bare",
            Mode {
                name: "bare prompt",
                options: RunOptions::default().reply_format(false).repairs(0).max_tokens(max_tokens),
            },
        ),
        (
            "format",
            Mode {
                name: "reply format + 2 repairs",
                options: RunOptions::default().repairs(2).max_tokens(max_tokens),
            },
        ),
        (
            "tolerant",
            Mode {
                name: "reply format + 2 repairs, tolerant",
                options: RunOptions::default().repairs(2).tolerant(true).max_tokens(max_tokens),
            },
        ),
        (
            "grammar",
            Mode {
                name: "grammar",
                options: RunOptions::default()
                    .constrain(Constraint::Grammar)
                    .repairs(2)
                    .max_tokens(max_tokens),
            },
        ),
        (
            "json",
            Mode {
                name: "JSON schema",
                options: RunOptions::default()
                    .constrain(Constraint::JsonSchema)
                    .repairs(2)
                    .max_tokens(max_tokens),
            },
        ),
    ];
    let modes: Vec<Mode> = all_modes
        .into_iter()
        .filter(|(key, _)| wanted.split(',').any(|w| w.trim() == *key))
        .map(|(_, mode)| mode)
        .collect();
    let mut tallies: Vec<Tally> = modes.iter().map(|_| Tally::default()).collect();
    let (mut measured, mut too_large, mut without_grammar) = (Vec::new(), Vec::new(), Vec::new());
    'agents: for agent in registry.agents() {
        let agent: &dyn DynAgent = agent;
        if only.as_ref().is_some_and(|only| !only.iter().any(|n| n == agent.name())) {
            continue;
        }
        let contexts: Vec<Option<&str>> =
            std::iter::once(None).chain(agent.contexts().iter().map(|(c, _)| Some(*c))).collect();
        for seed in 0..per_agent {
            let context = contexts[seed % contexts.len()];
            let dispatch = agent
                .dispatch_json(&inputs(agent, seed), Some("Answer briefly."), context)
                .expect("inputs made from the agent's table");
            if seed == 0 {
                if let Err(why) = dispatch.reply_grammar() {
                    without_grammar.push(format!("{} ({why})", agent.name()));
                }
            }
            for (mode, tally) in modes.iter().zip(&mut tallies) {
                let started = Instant::now();
                let result = run_any(&dispatch, &client, mode.options.clone()).await;
                let wall = started.elapsed();
                let report = match &result {
                    Ok(run) => &run.report,
                    Err(error) if error.model_error().is_some_and(too_long) => {
                        too_large.push(agent.name().to_owned());
                        continue 'agents;
                    }
                    Err(error) if error.reply_error().is_none() => {
                        eprintln!("{}: {error}", agent.name());
                        &error.report
                    }
                    Err(error) => &error.report,
                };
                if verbose {
                    for attempt in &report.attempts {
                        let why = match (&attempt.error, &attempt.call_error) {
                            (Some(error), _) => error.to_string(),
                            (None, Some(error)) => format!("call failed: {error}"),
                            (None, None) => String::new(),
                        };
                        eprintln!(
                            "  {} [{}] finish {:?}, {} tokens: {why}\n  reply: {:.300}",
                            agent.name(),
                            mode.name,
                            attempt.finish_reason,
                            attempt.usage.output_tokens,
                            attempt.reply
                        );
                    }
                }
                tally.dispatches += 1;
                tally.attempts += report.attempts.len();
                tally.wall += wall;
                if result.is_ok() {
                    tally.accepted += 1;
                    tally.accepted_tokens += report.usage.output_tokens;
                    if report.attempts.len() == 1 {
                        tally.first_attempt += 1;
                    }
                }
            }
        }
        measured.push(agent.name().to_owned());
        eprintln!("{}: done ({} agents)", agent.name(), measured.len());
    }
    println!("model: {model} at {url}; {} Ring agents measured, {per_agent} dispatches each, max_tokens {max_tokens}\n", measured.len());
    println!("| mode | dispatches | first-attempt pass | pass after repairs | mean attempts | output tokens per accepted reply | wall time |");
    println!("|---|---|---|---|---|---|---|");
    for (mode, tally) in modes.iter().zip(&tallies) {
        let n = tally.dispatches.max(1) as f64;
        println!(
            "| {} | {} | {:.0}% ({}) | {:.0}% ({}) | {:.2} | {} | {:.1} s |",
            mode.name,
            tally.dispatches,
            100.0 * tally.first_attempt as f64 / n,
            tally.first_attempt,
            100.0 * tally.accepted as f64 / n,
            tally.accepted,
            tally.attempts as f64 / n,
            tally
                .accepted_tokens
                .checked_div(tally.accepted as u64)
                .map_or("-".to_owned(), |t| t.to_string()),
            tally.wall.as_secs_f64()
        );
    }
    println!("\nprompt too long for the model's context ({}): {}", too_large.len(), too_large.join(", "));
    println!("no reply grammar ({}): {}", without_grammar.len(), without_grammar.join("; "));
}
