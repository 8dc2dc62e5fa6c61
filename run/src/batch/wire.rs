//! The HTTP of the batch APIs: an upload body streamed as it is written, requests checked as
//! the model calls are (no redirect followed, error statuses typed, time-limited), small JSON
//! bodies read with a size limit, and result files read one bounded line at a time.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;

use crate::error::{ModelError, ERROR_BODY_LIMIT};
use crate::http::error_text;

/// The most bytes of a status or creation response read (they are a few hundred).
const SMALL_BODY_LIMIT: usize = 1 << 20;
/// The most bytes of one line of a result file: a whole response body, as large as a model
/// call's may be, and its envelope.
pub(crate) const LINE_LIMIT: usize = crate::http::BODY_LIMIT + 64 * 1024;
/// The bytes of upload written before they are handed to the connection.
pub(crate) const CHUNK: usize = 256 * 1024;

/// A request body of exactly `length` bytes, written by a producer on the other end of a
/// channel as the connection takes them: an upload of 200 MB holds a few chunks at a time.
pub struct Upload {
    chunks: mpsc::Receiver<Bytes>,
    remaining: u64,
}

/// The producer's end of an [`Upload`].
pub(crate) type UploadWriter = mpsc::Sender<Bytes>;

/// An upload of `length` bytes and the sender its bytes go to.
pub(crate) fn upload(length: u64) -> (UploadWriter, Upload) {
    let (sender, chunks) = mpsc::channel(4);
    (sender, Upload { chunks, remaining: length })
}

impl Body for Upload {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.chunks.poll_recv(cx) {
            Poll::Ready(Some(chunk)) => {
                self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Sends `request`: a redirect is [`ModelError::Redirected`] (never followed: it would take
/// the key elsewhere), an error status [`ModelError::Status`] with the start of its body, and
/// no response head within `idle` [`ModelError::Stalled`].
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    url: &str,
    idle: Duration,
) -> Result<reqwest::Response, ModelError> {
    let sent = tokio::time::timeout(idle, request.send())
        .await
        .map_err(|_| ModelError::Stalled { limit: idle, received: 0 })?;
    let response =
        sent.map_err(|e| ModelError::Unreachable { url: url.to_owned(), message: error_text(&e) })?;
    // The same reading as a model call's: redirects refused, `Retry-After`, context
    // overflows, escaped text.
    crate::http::checked(response, idle).await
}

/// Sends `request` and reads its JSON body (at most 1 MiB).
pub(crate) async fn json(
    request: reqwest::RequestBuilder,
    url: &str,
    idle: Duration,
) -> Result<serde_json::Value, ModelError> {
    let response = send(request, url, idle).await?;
    let body = read_capped(response, SMALL_BODY_LIMIT + 1, idle).await?;
    if body.len() > SMALL_BODY_LIMIT {
        return Err(ModelError::InvalidResponse {
            message: format!("the body is larger than {SMALL_BODY_LIMIT} bytes"),
            body: String::from_utf8_lossy(&body[..ERROR_BODY_LIMIT]).into_owned(),
        });
    }
    serde_json::from_slice(&body).map_err(|e| ModelError::InvalidResponse {
        message: format!("the body is not JSON: {e}"),
        body: String::from_utf8_lossy(&body[..body.len().min(ERROR_BODY_LIMIT)]).into_owned(),
    })
}

/// The first `limit` bytes of the body (less when it is shorter), each piece within `idle`.
async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
    idle: Duration,
) -> Result<Vec<u8>, ModelError> {
    let mut body = Vec::new();
    while body.len() < limit {
        let chunk = tokio::time::timeout(idle, response.chunk())
            .await
            .map_err(|_| ModelError::Stalled { limit: idle, received: body.len() })?
            .map_err(|e| ModelError::StreamCut { received: body.len(), message: error_text(&e) })?;
        let Some(chunk) = chunk else { break };
        body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())]);
    }
    Ok(body)
}

/// The lines of a JSONL response, read as they arrive: one line of at most [`LINE_LIMIT`]
/// bytes is held at a time, and each piece of the body must come within the idle timeout.
pub(crate) struct Lines {
    response: Option<reqwest::Response>,
    buffer: Vec<u8>,
    /// Where the next line starts in `buffer`.
    start: usize,
    /// How far `buffer` has been searched for a line end.
    scanned: usize,
    idle: Duration,
    received: usize,
}

impl Lines {
    pub(crate) fn new(response: reqwest::Response, idle: Duration) -> Self {
        Self { response: Some(response), buffer: Vec::new(), start: 0, scanned: 0, idle, received: 0 }
    }

    /// The next line that is not blank, without its line end; `None` at the end of the body.
    pub(crate) async fn next(&mut self) -> Result<Option<&[u8]>, ModelError> {
        loop {
            if let Some(end) = self.buffer[self.scanned..].iter().position(|&b| b == b'\n') {
                let line = self.start..self.scanned + end;
                self.start = self.scanned + end + 1;
                self.scanned = self.start;
                if self.buffer[line.clone()].iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Ok(Some(&self.buffer[line]));
            }
            self.scanned = self.buffer.len();
            let Some(response) = self.response.as_mut() else {
                // The last line may have no line end.
                let line = self.start..self.buffer.len();
                self.start = self.buffer.len();
                if self.buffer[line.clone()].iter().all(u8::is_ascii_whitespace) {
                    return Ok(None);
                }
                return Ok(Some(&self.buffer[line]));
            };
            if self.buffer.len() - self.start > LINE_LIMIT {
                return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
            }
            self.buffer.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
            let chunk = tokio::time::timeout(self.idle, response.chunk())
                .await
                .map_err(|_| ModelError::Stalled { limit: self.idle, received: self.received })?
                .map_err(|e| ModelError::StreamCut { received: self.received, message: error_text(&e) })?;
            match chunk {
                Some(chunk) => {
                    self.received += chunk.len();
                    self.buffer.extend_from_slice(&chunk);
                }
                None => self.response = None,
            }
        }
    }
}

/// `body` for an error message: at most 8 KiB.
pub(crate) fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(ERROR_BODY_LIMIT)]).into_owned()
}
