//! Memory of `run_batch` as the number of dispatches grows (issue 22, item 4): the peak of
//! heap memory during a batch against the in-process scripted server (its memory counted too),
//! counted by a global allocator, against what the results themselves hold once it is over.
//! What the batch costs beyond its results should not grow with the number of dispatches.
//!
//! Run with `cargo bench -p agentbind-run --bench batch`; BENCHMARKS.md has the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use agentbind_run::batch::{run_batch, BatchOptions};
use agentbind_run::scripted::{BatchReply, BatchRequest, BatchScript, ScriptedServer};
use agentbind_run::{OpenAiCompatible, RunOptions};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
mod golang {}

const FULL: &str = "## Summary\nDone.\n\n## Implementation\nA handler.\n\n## Files Changed\n- health.go\n\n## Testing\nok\n\n## Next Steps\nNone.\n";

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    // `cargo test --benches` runs this with `--test`: a small batch is enough there.
    let sizes: &[usize] = if std::env::args().any(|a| a == "--test") { &[100] } else { &[1_000, 10_000] };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    println!(
        "| dispatches | upload | peak during the batch | results after it | peak beyond the results | time |"
    );
    println!("|---|---|---|---|---|---|");
    for &count in sizes {
        let dispatches: Vec<_> = (0..count)
            .map(|n| {
                golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
                    task_description: format!("Task {n}: add the /health endpoint"),
                    requirements: "Return 200 with build info".into(),
                }))
            })
            .collect();
        let reply = BatchReply::text(FULL);
        let (peak, retained, elapsed, ok) = runtime.block_on(async {
            let server =
                ScriptedServer::batches(BatchScript::new(move |_: &BatchRequest| reply.clone()).polls(1))
                    .await
                    .unwrap();
            let client = OpenAiCompatible::new(&server.url("/v1"), "key").unwrap().with_model("m");
            let options = BatchOptions::default().poll_interval(Duration::from_millis(1));
            let before = CURRENT.load(Ordering::SeqCst);
            PEAK.store(before, Ordering::SeqCst);
            let started = Instant::now();
            let results = run_batch(&client, &dispatches, RunOptions::default(), options).await;
            let elapsed = started.elapsed();
            let peak = PEAK.load(Ordering::SeqCst) - before;
            let retained = CURRENT.load(Ordering::SeqCst).saturating_sub(before);
            let ok = results.iter().filter(|r| r.is_ok()).count();
            drop(results);
            (peak, retained, elapsed, ok)
        });
        assert_eq!(ok, count, "every dispatch gives its typed output");
        // The upload's size: the same requests, one JSONL line each.
        let upload =
            count * (golang::Agent::SYSTEM_PROMPT.len() + dispatches[0].prompt_with_reply_format().len());
        println!(
            "| {count} | {:.0} MiB | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.2} s |",
            mib(upload),
            mib(peak),
            mib(retained),
            mib(peak.saturating_sub(retained)),
            elapsed.as_secs_f64()
        );
    }
}
