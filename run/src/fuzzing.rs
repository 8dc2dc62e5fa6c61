//! Entry points for the fuzz targets in `fuzz/` (cargo feature `fuzzing`): the SSE decoder and
//! the response readers, which are crate-private, each run on bytes as a backend would read
//! them off the network or a child's stdout. Not public API: hidden from the docs, and free to
//! change in any release.

use crate::claude_code;
use crate::client::{Chunk, Completion};
use crate::error::ModelError;
use crate::http::{self, EventMapper, HttpBackend};
use crate::sse::{SseDecoder, SseEvent};
use crate::{Anthropic, OpenAiCompatible};

/// One server-sent event: its type (`event:`) and its data.
pub type Event = (String, String);

/// The events of a stream whose bytes arrive as `pieces`, in order, then end.
pub fn sse_events(pieces: &[&[u8]]) -> Vec<Event> {
    let mut decoder = SseDecoder::default();
    let mut events = Vec::new();
    for piece in pieces {
        decoder.feed(piece, &mut events);
    }
    decoder.finish(&mut events);
    events.into_iter().map(|event| (event.event, event.data)).collect()
}

/// The completion in a whole Chat Completions response body, read as
/// `OpenAiCompatible::complete` reads it.
pub fn openai_body(body: &[u8]) -> Result<Completion, ModelError> {
    whole_body::<OpenAiCompatible>(body)
}

/// The completion in a whole Anthropic Messages response body, read as `Anthropic::complete`
/// reads it.
pub fn anthropic_body(body: &[u8]) -> Result<Completion, ModelError> {
    whole_body::<Anthropic>(body)
}

fn whole_body<B: HttpBackend>(body: &[u8]) -> Result<Completion, ModelError> {
    if body.len() > http::BODY_LIMIT {
        return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
    }
    B::completion(http::json_body(body, B::KEEP)?)
}

/// The chunks of a Chat Completions event stream whose bytes arrive as `pieces`, as
/// `OpenAiCompatible::stream` gives them: up to the first error, which ends them.
pub fn openai_stream(pieces: &[&[u8]]) -> Vec<Result<Chunk, ModelError>> {
    event_chunks::<OpenAiCompatible>(pieces)
}

/// The chunks of an Anthropic Messages event stream whose bytes arrive as `pieces`, as
/// `Anthropic::stream` gives them: up to the first error, which ends them.
pub fn anthropic_stream(pieces: &[&[u8]]) -> Vec<Result<Chunk, ModelError>> {
    event_chunks::<Anthropic>(pieces)
}

/// What `http::event_stream` does with the bytes, without the network, the clock and the
/// size limit (which a stream of more than [`http::BODY_LIMIT`] buffered bytes reaches).
fn event_chunks<B: HttpBackend>(pieces: &[&[u8]]) -> Vec<Result<Chunk, ModelError>> {
    let mut mapper = B::Events::default();
    let mut out = Vec::new();
    for (event, data) in sse_events(pieces) {
        if let Err(error) = mapper.event(&SseEvent { event, data }, &mut out) {
            let mut chunks: Vec<_> = out.into_iter().map(Ok).collect();
            chunks.push(Err(error));
            return chunks;
        }
    }
    mapper.end(&mut out);
    out.into_iter().map(Ok).collect()
}

/// The completion in the stdout of `claude -p --output-format json`, as `ClaudeCode::complete`
/// reads it once the child exited successfully.
pub fn claude_code_result(out: &[u8]) -> Result<Completion, ModelError> {
    claude_code::completion("claude", out).map(|(completion, _)| completion)
}

/// The text pieces of the stdout of `claude -p --output-format stream-json` (lines ended by
/// `\n`), then the completion of its `result` line, as `ClaudeCode::stream` reads them once the
/// child exited successfully. A line that is not JSON ends the pieces with its error.
pub fn claude_code_stream(out: &[u8]) -> (Vec<String>, Result<Completion, ModelError>) {
    let mut texts = Vec::new();
    let mut result = None;
    for line in out.split(|&b| b == b'\n') {
        match claude_code::read_line("claude", line) {
            Ok(claude_code::Line::Text(text)) => texts.push(text),
            Ok(claude_code::Line::Result(value)) => result = Some(value),
            Ok(claude_code::Line::NewTurn | claude_code::Line::Other) => {}
            Err(error) => return (texts, Err(error)),
        }
    }
    let completion = match result {
        Some(result) => claude_code::completion_of("claude", &result).map(|(completion, _)| completion),
        None => Err(ModelError::StreamCut { received: 0, message: "no result line".to_owned() }),
    };
    (texts, completion)
}
