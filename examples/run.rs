//! Runs the reference agent against a model served over the OpenAI-compatible API, with two
//! repairs, and prints the attempts, the token usage and the parsed `Summary`.
//!
//! ```sh
//! scripts/local-model.sh up      # a real local model on 127.0.0.1:8080 (llama.cpp + SmolLM2)
//! cargo run --example run
//! ```
//!
//! Environment: `AGENTBIND_BASE_URL` (default `http://127.0.0.1:8080/v1`), `AGENTBIND_MODEL`
//! and `AGENTBIND_API_KEY` (both optional), `AGENTBIND_MAX_TOKENS` (default 1024; 0 for the
//! server's limit). Exits with 1
//! and the full reply error when the repairs run out, with 2 when the model cannot be called.

use std::process::ExitCode;

use agentbind_run::{OpenAiCompatible, RunDispatch, RunErrorKind, RunOptions, RunReport};

#[agentbind::agent("examples/agents/backend-engineer-golang.md")]
pub mod golang {}

fn main() -> ExitCode {
    let base_url =
        std::env::var("AGENTBIND_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080/v1".to_owned());
    let api_key = std::env::var("AGENTBIND_API_KEY").unwrap_or_default();
    let mut client = match OpenAiCompatible::new(&base_url, api_key) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    if let Ok(model) = std::env::var("AGENTBIND_MODEL") {
        client = client.with_model(model);
    }
    let mut options = RunOptions::default().repairs(2);
    // 1024 tokens per reply unless told otherwise (0: the server's own limit), so that a
    // small local model that rambles leaves room in its context for the repair turns.
    let max_tokens = std::env::var("AGENTBIND_MAX_TOKENS").ok().and_then(|t| t.parse().ok()).unwrap_or(1024);
    if max_tokens > 0 {
        options = options.max_tokens(max_tokens);
    }

    let input = golang::Input::from(golang::RequiredInput {
        task_description: "Add a /health endpoint".into(),
        requirements: "It returns 200 with the build version as JSON.".into(),
    })
    .with_acceptance_criteria(vec!["returns JSON".to_owned(), "no authentication".to_owned()]);
    let dispatch = golang::Agent::dispatch(input);
    println!("== running {} at {} (model {:?})", golang::Agent::NAME, client.url(), client_model(&client));

    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(dispatch.run(&client, options)) {
        Ok(run) => {
            print_report(&run.report);
            println!("summary:\n{}", run.output.summary);
            ExitCode::SUCCESS
        }
        Err(error) => {
            print_report(&error.report);
            // The last attempt's problems are in the error itself.
            let earlier = error.report.attempts.len().saturating_sub(1);
            for (i, attempt) in error.report.attempts.iter().take(earlier).enumerate() {
                if let Some(problem) = &attempt.error {
                    eprintln!("attempt {}: {problem}", i + 1);
                }
            }
            eprintln!("error: {error}");
            match error.kind {
                RunErrorKind::Reply(_) => ExitCode::FAILURE,
                _ => ExitCode::from(2),
            }
        }
    }
}

fn client_model(client: &OpenAiCompatible) -> Option<String> {
    agentbind_run::ModelClient::model_id(client, <golang::Agent as agentbind::Agent>::MODEL_KIND)
}

fn print_report(report: &RunReport) {
    println!("attempts: {}", report.attempts.len());
    println!(
        "usage: {} input + {} output = {} tokens",
        report.usage.input_tokens,
        report.usage.output_tokens,
        report.usage.total()
    );
    println!("served by: {} in {:.1?}", report.served_model().unwrap_or("(not said)"), report.latency);
}
