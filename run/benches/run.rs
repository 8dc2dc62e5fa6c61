//! The run layer's overhead, measured against floors taken in the same process:
//!
//! * `round_trip`: `dispatch.run(...)` against the in-process scripted server, and a bare
//!   HTTP round trip to the same server: what a hand-written call does with reqwest and
//!   serde_json (serialize the system prompt and the prompt text, post, parse the JSON reply,
//!   take the text). Target: run / bare <= 1.1. `transport` (posting pre-serialized bytes,
//!   reading raw bytes) shows what HTTP alone costs. `run_grammar` and `run_json` are the same
//!   run constrained by the reply grammar and by the reply schema (a JSON reply of the same
//!   sections). Target: constrained / `run` <= 1.1.
//! * `scanner`: the streaming parser (`Dispatch::reply_parser`, fed in chunks of 16, 256 and
//!   4096 bytes) and `parse_reply` on the same reply. Target: streaming / whole <= 1.5.
//!
//! Run with `cargo bench -p agentbind-run --bench run`; BENCHMARKS.md has the figures.

use std::sync::LazyLock;

use agentbind_run::scripted::{ScriptedResponse, ScriptedServer};
use agentbind_run::{OpenAiCompatible, RunDispatch, RunOptions};
use divan::counter::BytesCount;
use divan::{black_box, Bencher};

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
mod golang {}

fn main() {
    divan::main();
}

/// A reply of about `size` bytes with the five required sections, bodies of prose, bullets
/// and fenced code.
fn reply(size: usize) -> String {
    let headings = ["## Summary", "## Implementation", "## Files Changed", "## Testing", "## Next Steps"];
    let mut out = String::with_capacity(size + 256);
    for heading in headings {
        out.push_str(heading);
        out.push_str("\n\n");
        let start = out.len();
        let mut line = 0;
        while out.len() - start < size / headings.len() {
            match line % 12 {
                4 => out.push_str(
                    "```go\n// ## Testing is not a heading in here\nfunc f() error { return nil }\n```\n",
                ),
                7 | 8 => out.push_str(&format!("- item {line} with `code` and **bold** text\n")),
                _ => out.push_str(&format!(
                    "Line {line} of prose that explains what changed and why it matters.\n"
                )),
            }
            line += 1;
        }
        out.push('\n');
    }
    out
}

/// [`reply`] as a JSON reply of the reply schema: each section's body under its name.
fn json_reply(size: usize) -> String {
    let markdown = reply(size);
    let mut object = serde_json::Map::new();
    let mut section: Option<(String, String)> = None;
    for line in markdown.lines() {
        match line.strip_prefix("## ") {
            Some(name) => {
                if let Some((name, body)) = section.take() {
                    object.insert(name, body.trim().into());
                }
                section = Some((name.to_owned(), String::new()));
            }
            None => {
                if let Some((_, body)) = &mut section {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    if let Some((name, body)) = section {
        object.insert(name, body.trim().into());
    }
    object.insert("Standards Compliance".into(), serde_json::Value::Null);
    object.insert("Blockers".into(), serde_json::Value::Null);
    object.insert(
        "metrics".into(),
        serde_json::json!({"files_changed": 1, "lines_added": 2, "lines_removed": 3, "test_coverage_delta": 4, "execution_time_seconds": 5}),
    );
    serde_json::Value::Object(object).to_string()
}

fn dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health endpoint".into(),
        requirements: "Return 200 with build info".into(),
    }))
}

/// The scripted server, its runtime and both clients, shared by the round-trip benches.
struct Bench {
    runtime: tokio::runtime::Runtime,
    server: ScriptedServer,
    client: OpenAiCompatible,
    /// A server that replies with the JSON form of the same reply, and its client.
    _json_server: ScriptedServer,
    json_client: OpenAiCompatible,
    bare: reqwest::Client,
    /// The prompt text a hand-written call sends (the same text `run` sends).
    prompt: String,
    body: Vec<u8>,
}

static BENCH: LazyLock<Bench> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let server =
        runtime.block_on(ScriptedServer::repeating(ScriptedResponse::openai(&reply(4_000)))).unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "key").unwrap().with_model("m");
    let json_server =
        runtime.block_on(ScriptedServer::repeating(ScriptedResponse::openai(&json_reply(4_000)))).unwrap();
    let json_client = OpenAiCompatible::new(&json_server.url("/v1"), "key").unwrap().with_model("m");
    // The body `run` sends, serialized once: the bare round trip sends the same bytes.
    let dispatch = dispatch();
    let messages = serde_json::json!([
        {"role": "system", "content": golang::Agent::SYSTEM_PROMPT},
        {"role": "user", "content": dispatch.prompt_with_reply_format()},
    ]);
    let body = serde_json::to_vec(&serde_json::json!({"messages": messages, "model": "m"})).unwrap();
    Bench {
        runtime,
        server,
        client,
        _json_server: json_server,
        json_client,
        bare: reqwest::Client::new(),
        prompt: dispatch.prompt_with_reply_format(),
        body,
    }
});

mod round_trip {
    use super::*;

    #[divan::bench]
    fn bare_http(bencher: Bencher) {
        let bench = &*BENCH;
        let url = bench.server.url("/v1/chat/completions");
        bencher.bench_local(|| {
            bench.runtime.block_on(async {
                let body = serde_json::json!({
                    "messages": [
                        {"role": "system", "content": golang::Agent::SYSTEM_PROMPT},
                        {"role": "user", "content": bench.prompt},
                    ],
                    "model": "m",
                });
                let response = bench
                    .bare
                    .post(&url)
                    .bearer_auth("key")
                    .header("content-type", "application/json")
                    .body(serde_json::to_vec(&body).unwrap())
                    .send()
                    .await
                    .unwrap();
                let reply: serde_json::Value =
                    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                black_box(reply["choices"][0]["message"]["content"].as_str().unwrap().to_owned())
            })
        });
    }

    #[divan::bench]
    fn transport(bencher: Bencher) {
        let bench = &*BENCH;
        let url = bench.server.url("/v1/chat/completions");
        bencher.bench_local(|| {
            bench.runtime.block_on(async {
                let response = bench
                    .bare
                    .post(&url)
                    .bearer_auth("key")
                    .header("content-type", "application/json")
                    .body(bench.body.clone())
                    .send()
                    .await
                    .unwrap();
                black_box(response.bytes().await.unwrap())
            })
        });
    }

    #[divan::bench]
    fn run(bencher: Bencher) {
        let bench = &*BENCH;
        let dispatch = dispatch();
        bencher.bench_local(|| {
            bench.runtime.block_on(async {
                black_box(dispatch.run(&bench.client, RunOptions::default().repairs(0)).await.unwrap())
            })
        });
    }

    #[divan::bench]
    fn run_grammar(bencher: Bencher) {
        let bench = &*BENCH;
        let dispatch = dispatch();
        let options = RunOptions::default().repairs(0).constrain(agentbind_run::Constraint::Grammar);
        bencher.bench_local(|| {
            bench
                .runtime
                .block_on(async { black_box(dispatch.run(&bench.client, options.clone()).await.unwrap()) })
        });
    }

    #[divan::bench]
    fn run_json(bencher: Bencher) {
        let bench = &*BENCH;
        let dispatch = dispatch();
        let options = RunOptions::default().repairs(0).constrain(agentbind_run::Constraint::JsonSchema);
        bencher.bench_local(|| {
            bench.runtime.block_on(async {
                black_box(dispatch.run(&bench.json_client, options.clone()).await.unwrap())
            })
        });
    }
}

mod scanner {
    use super::*;

    const SIZES: [usize; 2] = [12_000, 1_000_000];

    #[divan::bench(args = SIZES)]
    fn parse_reply(bencher: Bencher, size: usize) {
        let reply = reply(size);
        let dispatch = dispatch();
        bencher
            .counter(BytesCount::of_str(&reply))
            .bench_local(|| black_box(dispatch.parse_reply(&reply).unwrap()));
    }

    /// Fed in chunks of `CHUNK` bytes: 16 is a token or a few (an SSE delta), 4096 a network
    /// read.
    #[divan::bench(consts = [16, 256, 4096], args = SIZES)]
    fn streamed<const CHUNK: usize>(bencher: Bencher, size: usize) {
        let reply = reply(size);
        let chunks: Vec<&str> =
            reply.as_bytes().chunks(CHUNK).map(|c| std::str::from_utf8(c).unwrap()).collect();
        let dispatch = dispatch();
        bencher.counter(BytesCount::of_str(&reply)).bench_local(|| {
            let mut parser = dispatch.reply_parser();
            let mut events = 0;
            for chunk in &chunks {
                events += parser.push(chunk).unwrap().count();
            }
            let finished = parser.finish();
            black_box((events + finished.events.len(), finished.output.unwrap()))
        });
    }
}

/// The parts of a run constrained to the reply schema: building the schema, and reading a
/// JSON reply back into the typed output.
mod json_schema {
    use super::*;

    #[divan::bench]
    fn reply_schema(bencher: Bencher) {
        let dispatch = dispatch();
        bencher.bench_local(|| black_box(dispatch.reply_schema()));
    }

    #[divan::bench]
    fn parse_json_reply(bencher: Bencher) {
        let dispatch = dispatch();
        let reply = json_reply(4_000);
        bencher.bench_local(|| black_box(dispatch.parse_json_reply(&reply).unwrap()));
    }

    #[divan::bench]
    fn parse_markdown_reply(bencher: Bencher) {
        let dispatch = dispatch();
        let reply = reply(4_000);
        bencher.bench_local(|| black_box(dispatch.parse_reply(reply.as_str()).unwrap()));
    }
}
