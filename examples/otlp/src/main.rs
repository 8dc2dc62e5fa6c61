//! Traces of agent runs exported over OTLP: `agentbind-run`'s spans (feature `tracing`, in the
//! OpenTelemetry GenAI conventions) go through `tracing-opentelemetry` to an OTLP/HTTP
//! exporter. Five dispatches of the reference agent run against the in-process scripted server
//! under one `orchestrate` span.
//!
//! ```sh
//! cargo run -p agentbind-otlp-example
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 cargo run -p agentbind-otlp-example
//! ```
//!
//! Without `OTEL_EXPORTER_OTLP_ENDPOINT` it starts a small OTLP receiver on 127.0.0.1 itself
//! and says what it received; with it, the spans go to that collector (Jaeger, the
//! OpenTelemetry Collector, ...).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use agentbind_run::scripted::{ScriptedResponse, ScriptedServer};
use agentbind_run::{run_all, OpenAiCompatible, RunOptions, Totals};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;

#[agentbind::agent("../agents/backend-engineer-golang.md")]
mod golang {}

const REPLY: &str = "## Summary\nAdded the endpoint.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\ngo test passes.\n\n## Next Steps\nNone.\n";

/// What the built-in receiver got: OTLP export requests, their bytes, and how many spans
/// named `invoke_agent ...` and `chat ...` they carry (protobuf keeps strings as they are).
#[derive(Default)]
struct Received {
    requests: AtomicUsize,
    bytes: AtomicUsize,
    runs: AtomicUsize,
    calls: AtomicUsize,
}

/// How many times `needle` occurs in `haystack`.
fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|window| *window == needle).count()
}

/// A minimal OTLP/HTTP receiver: answers every `POST /v1/traces` with 200 and counts it.
async fn receiver(received: Arc<Received>) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let received = received.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 16 * 1024];
                // Read the head, then as many body bytes as `content-length` says (at most 16 MiB).
                loop {
                    let Ok(n) = stream.read(&mut buffer).await else { return };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..n]);
                    let Some(head_end) = request.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .and_then(|value| value.trim().parse::<usize>().ok())
                        .unwrap_or(0)
                        .min(16 * 1024 * 1024);
                    if request.len() >= head_end + 4 + length {
                        if head.starts_with("post /v1/traces") {
                            let body = &request[head_end + 4..head_end + 4 + length];
                            received.requests.fetch_add(1, Ordering::Relaxed);
                            received.bytes.fetch_add(length, Ordering::Relaxed);
                            let runs = occurrences(body, b"invoke_agent backend-engineer-golang");
                            received.runs.fetch_add(runs, Ordering::Relaxed);
                            received
                                .calls
                                .fetch_add(occurrences(body, b"chat local-model"), Ordering::Relaxed);
                        }
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                            .await;
                        return;
                    }
                }
            });
        }
    });
    Ok(url)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let received = Arc::new(Received::default());
    let collector = match std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT") {
        Ok(url) => url.trim_end_matches('/').to_owned(),
        Err(_) => receiver(received.clone()).await?,
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{collector}/v1/traces"))
        .build()?;
    let provider =
        opentelemetry_sdk::trace::SdkTracerProvider::builder().with_batch_exporter(exporter).build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("agentbind-otlp-example")));
    tracing::subscriber::set_global_default(subscriber)?;

    let server = ScriptedServer::repeating(ScriptedResponse::openai(REPLY)).await?;
    let client = OpenAiCompatible::new(&server.url("/v1"), "")?.with_model("local-model");
    let dispatches = (0..5).map(|n| {
        golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
            task_description: format!("Add endpoint {n}"),
            requirements: "Return 200".into(),
        }))
    });
    let results = run_all(&client, dispatches, RunOptions::default(), 2)
        .instrument(tracing::info_span!("orchestrate"))
        .await;
    print!("{}", Totals::of(&results));
    // Sends what is left and stops the exporter.
    provider.shutdown()?;
    match std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT") {
        Ok(url) => println!("exported the spans of {} runs to {url}", results.len()),
        Err(_) => println!(
            "the OTLP receiver at {collector} got {} export request(s), {} bytes, with {} `invoke_agent` and {} `chat` spans",
            received.requests.load(Ordering::Relaxed),
            received.bytes.load(Ordering::Relaxed),
            received.runs.load(Ordering::Relaxed),
            received.calls.load(Ordering::Relaxed)
        ),
    }
    Ok(())
}
