//! Fuzzes agentbind-run's SSE decoder and the OpenAI and Anthropic event mappers behind it:
//! they must never panic, and the bytes cut into arbitrary pieces must give the same events,
//! and the same chunks, as the bytes whole.
//!
//! Input: one byte that picks the cuts, then the stream.
#![no_main]

use agentbind_run::__fuzz;
use libfuzzer_sys::fuzz_target;

/// `stream` cut into pieces of 1 to `seed + 1` bytes, their sizes from a small LCG.
fn pieces(seed: u8, stream: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut rest = stream;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = 1 + (state >> 16) as usize % (usize::from(seed) + 1);
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

fuzz_target!(|input: &[u8]| {
    let Some((&seed, stream)) = input.split_first() else { return };
    let cut = pieces(seed, stream);
    let whole = __fuzz::sse_events(&[stream]);
    assert_eq!(__fuzz::sse_events(&cut), whole);
    assert_eq!(__fuzz::sse_events(&[]), __fuzz::sse_events(&[b""]));
    for (_, data) in &whole {
        // `data` is the joined data lines of the event: never more bytes than the stream.
        assert!(data.len() <= stream.len() * 3);
    }
    assert_eq!(__fuzz::openai_stream(&cut), __fuzz::openai_stream(&[stream]));
    assert_eq!(__fuzz::anthropic_stream(&cut), __fuzz::anthropic_stream(&[stream]));
});
