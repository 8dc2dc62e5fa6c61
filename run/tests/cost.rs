//! Cost: a user's `Pricing` prices every attempt the backend gives no cost of, cached input
//! tokens apart (as OpenAI and Anthropic report them), and `Totals` sums usage and cost per
//! agent over a fan-out.

use agentbind_run::scripted::{ScriptedResponse, ScriptedServer};
use agentbind_run::{
    run_all, Anthropic, OpenAiCompatible, Price, Pricing, RunDispatch, RunOptions, Totals, Usage,
};
use serde_json::json;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
pub mod golang {}

#[agentbind::agent("../tests/fixtures/reviewer-schema.md")]
pub mod reviewer {}

const FULL: &str = "## Summary\nAdded the endpoint.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\ngo test passes.\n\n## Next Steps\nNone.\n";
const PARTIAL: &str = "## Summary\nAdded the endpoint.\n";

fn dispatch(task: &str) -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: task.into(),
        requirements: "Return 200".into(),
    }))
}

/// A Chat Completions body of `text` with 1,000,000 prompt tokens, 400,000 of them cached,
/// and 100,000 completion tokens.
fn openai_with_cache(text: &str) -> ScriptedResponse {
    ScriptedResponse::json(
        200,
        &json!({
            "model": "gpt-5-mini-2025-08-07",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1_000_000, "completion_tokens": 100_000, "prompt_tokens_details": {"cached_tokens": 400_000}}
        }),
    )
}

fn pricing() -> Pricing {
    Pricing::new()
        .model("gpt-5-mini", Price::per_million(0.25, 2.0).cached(0.025))
        .model("claude-sonnet-4-5", Price::per_million(3.0, 15.0).cached(0.3))
}

#[tokio::test]
async fn every_attempt_is_priced_from_the_model_that_answered_with_cached_tokens_apart() {
    let server =
        ScriptedServer::start(vec![openai_with_cache(PARTIAL), openai_with_cache(FULL)]).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap().with_model("gpt-5-mini");
    let run = dispatch("a").run(&client, RunOptions::default().pricing(pricing())).await.unwrap();
    assert_eq!(run.report.attempts[0].usage, Usage::new(1_000_000, 100_000).with_cached(400_000));
    // 600,000 fresh input tokens at 0.25, 400,000 cached at 0.025, 100,000 output at 2.0.
    let per_call = 0.15 + 0.01 + 0.2;
    for attempt in &run.report.attempts {
        assert!((attempt.cost_usd.unwrap() - per_call).abs() < 1e-9, "{:?}", attempt.cost_usd);
    }
    assert!((run.report.cost_usd().unwrap() - 2.0 * per_call).abs() < 1e-9);
    // Without a pricing, HTTP backends give no cost.
    let server = ScriptedServer::start(vec![openai_with_cache(FULL)]).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    assert_eq!(dispatch("a").run(&client, RunOptions::default()).await.unwrap().report.cost_usd(), None);
}

#[tokio::test]
async fn anthropic_cache_reads_count_as_cached_input() {
    let body = json!({
        "type": "message", "model": "claude-sonnet-4-5-20250929", "stop_reason": "end_turn",
        "content": [{"type": "text", "text": FULL}],
        "usage": {"input_tokens": 100, "cache_read_input_tokens": 900, "cache_creation_input_tokens": 0, "output_tokens": 50}
    });
    let server = ScriptedServer::start(vec![ScriptedResponse::json(200, &body)]).await.unwrap();
    let client = Anthropic::with_base_url(&server.url(""), "k").unwrap();
    let run = dispatch("a").run(&client, RunOptions::default().pricing(pricing())).await.unwrap();
    assert_eq!(run.report.usage, Usage::new(1000, 50).with_cached(900));
    let expected = (100.0 * 3.0 + 900.0 * 0.3 + 50.0 * 15.0) / 1_000_000.0;
    assert!((run.report.cost_usd().unwrap() - expected).abs() < 1e-12);
}

#[tokio::test]
async fn totals_sum_usage_and_cost_per_agent_over_a_fan_out() {
    let server = ScriptedServer::repeating(openai_with_cache(FULL)).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap().with_model("gpt-5-mini");
    let options = RunOptions::default().pricing(pricing()).repairs(0);
    let golang = run_all(&client, (0..5).map(|n| dispatch(&n.to_string())), options.clone(), 3).await;
    let reviews =
        run_all(&client, (0..3).map(|_| reviewer::Agent::dispatch(reviewer::Input::new())), options, 3).await;
    let mut totals = Totals::of(&golang);
    for result in &reviews {
        match result {
            Ok(run) => totals.add(&run.report, true),
            Err(error) => totals.add(&error.report, false),
        }
    }
    let go = &totals.agents["backend-engineer-golang"];
    assert_eq!((go.runs, go.failed, go.attempts), (5, 0, 5));
    assert_eq!(go.usage, Usage::new(5_000_000, 500_000).with_cached(2_000_000));
    assert!((go.cost_usd.unwrap() - 5.0 * 0.36).abs() < 1e-9);
    // The reviewer's replies lack its sections: three failed runs, their cost kept.
    let review = &totals.agents["reviewer-schema"];
    assert_eq!((review.runs, review.failed), (0, 3));
    assert!((review.cost_usd.unwrap() - 3.0 * 0.36).abs() < 1e-9);
    let all = totals.total();
    assert_eq!((all.runs, all.failed, all.attempts), (5, 3, 8));
    let table = totals.to_string();
    assert!(table.contains("backend-engineer-golang: 5 ok, 0 failed, 5 attempts"), "{table}");
}
