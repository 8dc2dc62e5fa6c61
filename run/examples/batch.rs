//! Runs 2,000 dispatches of the reference agent as an OpenAI batch against the in-process
//! scripted server, drawing a progress bar while it polls; one dispatch in ten breaks the
//! contract at first and is repaired in a repair batch. Then the same bar for `run_all`, 40
//! dispatches through the Chat Completions API.
//!
//! ```sh
//! cargo run -p agentbind-run --example batch
//! ```

use std::io::Write;
use std::time::Duration;

use agentbind_run::batch::{run_batch_with_progress, BatchOptions, BatchProgress};
use agentbind_run::scripted::{BatchReply, BatchRequest, BatchScript, ScriptedResponse, ScriptedServer};
use agentbind_run::{run_all_with_progress, OpenAiCompatible, Progress, RunOptions};

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

const FULL: &str = "## Summary\nDone.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\nok\n\n## Next Steps\nNone.\n";

/// `[#######.............]  35%`: the share of dispatches that ended.
fn bar(progress: &Progress) -> String {
    const WIDTH: usize = 30;
    let filled = ((progress.fraction() * WIDTH as f64).round() as usize).min(WIDTH);
    format!("[{}{}] {:>3.0}%", "#".repeat(filled), ".".repeat(WIDTH - filled), progress.fraction() * 100.0)
}

fn draw(line: &str) {
    let mut err = std::io::stderr();
    let _ = write!(err, "\r{line:<110}");
    let _ = err.flush();
}

fn dispatches(count: usize) -> Vec<agentbind::Dispatch<golang::Agent>> {
    (0..count)
        .map(|n| {
            golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
                task_description: format!("Task {n}: add the /health endpoint"),
                requirements: "Return 200 with build info".into(),
            }))
        })
        .collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Every tenth first request gets a reply without its sections; repairs meet the contract.
    let script = BatchScript::new(|request: &BatchRequest| {
        if request.messages == 1 && request.line % 10 == 3 {
            BatchReply::text("## Summary\nOnly a summary.\n")
        } else {
            BatchReply::text(FULL)
        }
    })
    .polls(8);
    let server = ScriptedServer::batches(script).await.expect("the scripted server starts");
    let client = OpenAiCompatible::new(&server.url("/v1"), "key").expect("a client").with_model("m");
    let many = dispatches(2_000);
    let options =
        BatchOptions::default().poll_interval(Duration::from_millis(150)).max_dispatches_per_batch(1_000);
    let results =
        run_batch_with_progress(&client, &many, RunOptions::default(), options, |p: &BatchProgress| {
            let counts = p.requests;
            draw(&format!(
                "batch {} round {} {:<12} {} {}/{} done, {} failed | provider: {}/{} ok | {} tokens",
                p.id.provider_ids(p.round).next().unwrap_or("-"),
                p.round,
                p.status,
                bar(&p.progress),
                p.progress.done,
                p.progress.total,
                p.progress.failed,
                counts.succeeded,
                counts.total,
                p.progress.input_tokens + p.progress.output_tokens,
            ));
        })
        .await;
    let repaired =
        results.iter().filter_map(|r| r.as_ref().ok()).filter(|run| run.report.repairs() > 0).count();
    eprintln!();
    println!(
        "batch: {} typed results, {repaired} after a repair batch",
        results.iter().filter(|r| r.is_ok()).count()
    );

    let server = ScriptedServer::repeating(ScriptedResponse::openai(FULL).delay(Duration::from_millis(40)))
        .await
        .expect("the scripted server starts");
    let client = OpenAiCompatible::new(&server.url("/v1"), "").expect("a client");
    let results = run_all_with_progress(&client, dispatches(40), RunOptions::default(), 4, |p: &Progress| {
        draw(&format!("run_all {} {}/{} done, {} in flight", bar(p), p.done, p.total, p.in_flight));
    })
    .await;
    eprintln!();
    println!("run_all: {} typed results", results.iter().filter(|r| r.is_ok()).count());
}
