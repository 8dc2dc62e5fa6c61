//! A response body padded with fields the client does not read costs its bytes, not a parsed
//! tree of them (issue 19, item 6): the peak of heap memory during a call, counted by a global
//! allocator, stays within a few times the body's size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use agentbind_run::scripted::{ScriptedResponse, ScriptedServer};
use agentbind_run::{OpenAiCompatible, RunDispatch, RunOptions};

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
pub mod golang {}

const FULL: &str = "## Summary\nDone.\n\n## Implementation\nA handler.\n\n## Files Changed\n- a.go\n\n## Testing\nok\n\n## Next Steps\nNone.\n";

#[tokio::test(flavor = "current_thread")]
async fn padding_in_a_response_body_is_skipped_not_built() {
    // 2 million empty objects: 6 MB of body that a `serde_json::Value` holds in 64 MB.
    let padding = "{},".repeat(2_000_000);
    let body = format!(
        r#"{{"pad": [{padding}{{}}], "choices": [{{"message": {{"content": {}}}, "finish_reason": "stop"}}], "usage": {{"prompt_tokens": 1, "completion_tokens": 2}}}}"#,
        serde_json::to_string(FULL).unwrap()
    );
    let size = body.len();
    let server = ScriptedServer::start([ScriptedResponse::raw(200, "application/json", body)]).await.unwrap();
    let client = OpenAiCompatible::new(&server.url("/v1"), "").unwrap();
    let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }));
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let run = dispatch.run(&client, RunOptions::default().repairs(0)).await.unwrap();
    let peak = PEAK.load(Ordering::SeqCst) - before;
    assert_eq!(run.output.summary.body, "Done.");
    // The server's copy of the body while it writes it, the client's buffer, and the output.
    assert!(peak < 4 * size, "peak {peak} bytes over a body of {size}");
}
