//! Fuzzes agentbind-run's response readers with arbitrary bytes: whole OpenAI-compatible and
//! Anthropic bodies, their event streams, and Claude Code's `json` result and `stream-json`
//! lines. Each must give a completion (or chunks) or a `ModelError`, never panic, and never a
//! reply over `agentbind::MAX_REPLY_BYTES`.
#![no_main]

use agentbind_run::{__fuzz, Chunk, Completion, ModelError};
use libfuzzer_sys::fuzz_target;

fn check(completion: Result<Completion, ModelError>) {
    if let Ok(completion) = completion {
        assert!(completion.text.len() <= agentbind::MAX_REPLY_BYTES);
        assert!(completion.cost_usd.is_none_or(f64::is_finite));
    }
}

fn check_chunks(chunks: Vec<Result<Chunk, ModelError>>) {
    // The first error ends the chunks.
    if let Some(at) = chunks.iter().position(Result::is_err) {
        assert_eq!(at + 1, chunks.len());
    }
}

fuzz_target!(|bytes: &[u8]| {
    check(__fuzz::openai_body(bytes));
    check(__fuzz::anthropic_body(bytes));
    check(__fuzz::claude_code_result(bytes));
    let (texts, completion) = __fuzz::claude_code_stream(bytes);
    assert!(texts.iter().all(|text| !text.is_empty()));
    check(completion);
    check_chunks(__fuzz::openai_stream(&[bytes]));
    check_chunks(__fuzz::anthropic_stream(&[bytes]));
});
