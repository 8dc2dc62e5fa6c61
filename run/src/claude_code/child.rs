//! The child process: `claude` spawned with a call's arguments, its prompt written to stdin,
//! its stdout read (whole or by line) and its stderr drained while it runs.

use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::process::{ChildStderr, ChildStdin, ChildStdout};

use super::call::Attempt;
use super::ClaudeCode;
use crate::error::{ModelError, ERROR_BODY_LIMIT};

/// The most bytes of output read, and of one line of streamed output: the reply limit with
/// room for JSON escapes.
pub(super) const BODY_LIMIT: usize = 2 * agentbind::MAX_REPLY_BYTES;

impl ClaudeCode {
    fn program_name(&self) -> String {
        self.program.display().to_string()
    }

    pub(super) fn spawn(&self, attempt: &Attempt) -> Result<Child, ModelError> {
        let program = self.program_name();
        let mut command = tokio::process::Command::new(&self.program);
        if self.env_clear {
            command.env_clear();
        }
        command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(&attempt.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(dir) = &self.working_dir {
            command.current_dir(dir);
        }
        let mut child = command
            .spawn()
            .map_err(|e| ModelError::Spawn { program: program.clone(), message: e.to_string() })?;
        Ok(Child {
            stdin: child.stdin.take(),
            stdout: child.stdout.take(),
            stderr: child.stderr.take(),
            child,
            program,
            prompt: attempt.prompt.clone().into_bytes(),
            written: 0,
            kept_stderr: Vec::new(),
            out: Vec::new(),
        })
    }
}

/// A running `claude`: the prompt is written to its stdin and its stderr is drained (keeping
/// the first 8 KiB) while its stdout is read, so it never blocks on a full pipe.
pub(super) struct Child {
    pub(super) program: String,
    child: tokio::process::Child,
    stdin: Option<ChildStdin>,
    prompt: Vec<u8>,
    written: usize,
    stdout: Option<ChildStdout>,
    stderr: Option<ChildStderr>,
    kept_stderr: Vec<u8>,
    /// Stdout read and not taken yet.
    pub(super) out: Vec<u8>,
}

impl Child {
    /// Reads more of stdout into `out`; `false` at its end.
    pub(super) async fn read_more(&mut self) -> Result<bool, ModelError> {
        std::future::poll_fn(|cx| self.poll_read_more(cx)).await
    }

    fn poll_read_more(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, ModelError>> {
        self.poll_stdin(cx);
        self.poll_stderr(cx);
        let Some(stdout) = self.stdout.as_mut() else { return Poll::Ready(Ok(false)) };
        let mut buffer = [0u8; 16 * 1024];
        let mut read = ReadBuf::new(&mut buffer);
        match Pin::new(stdout).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) if read.filled().is_empty() => {
                self.stdout = None;
                Poll::Ready(Ok(false))
            }
            Poll::Ready(Ok(())) => {
                self.out.extend_from_slice(read.filled());
                Poll::Ready(Ok(true))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(ModelError::Process {
                program: self.program.clone(),
                code: None,
                message: e.to_string(),
            })),
        }
    }

    /// Writes the prompt until the pipe is full, then closes stdin. A child that exits
    /// without reading its input is reported by its exit.
    fn poll_stdin(&mut self, cx: &mut Context<'_>) {
        while let Some(stdin) = self.stdin.as_mut() {
            let progress = if self.written < self.prompt.len() {
                match Pin::new(stdin).poll_write(cx, &self.prompt[self.written..]) {
                    Poll::Ready(Ok(written @ 1..)) => {
                        self.written += written;
                        continue;
                    }
                    Poll::Ready(_) => None,
                    Poll::Pending => Some(()),
                }
            } else {
                match Pin::new(stdin).poll_shutdown(cx) {
                    Poll::Pending => Some(()),
                    Poll::Ready(_) => None,
                }
            };
            match progress {
                Some(()) => return,
                None => self.stdin = None,
            }
        }
    }

    /// Reads stderr until the pipe is empty, keeping the first bytes.
    fn poll_stderr(&mut self, cx: &mut Context<'_>) {
        while let Some(stderr) = self.stderr.as_mut() {
            let mut buffer = [0u8; 8192];
            let mut read = ReadBuf::new(&mut buffer);
            match Pin::new(stderr).poll_read(cx, &mut read) {
                Poll::Pending => return,
                Poll::Ready(Ok(())) if !read.filled().is_empty() => {
                    let room = ERROR_BODY_LIMIT.saturating_sub(self.kept_stderr.len());
                    let filled = read.filled();
                    self.kept_stderr.extend_from_slice(&filled[..filled.len().min(room)]);
                }
                Poll::Ready(_) => self.stderr = None,
            }
        }
    }

    /// The next line of stdout, without its `\n`; `None` at its end. A line over
    /// [`BODY_LIMIT`] is an error.
    pub(super) async fn next_line(&mut self) -> Result<Option<Vec<u8>>, ModelError> {
        let mut searched = 0;
        loop {
            if let Some(at) = self.out[searched..].iter().position(|&b| b == b'\n') {
                let rest = self.out.split_off(searched + at + 1);
                let mut line = std::mem::replace(&mut self.out, rest);
                line.pop();
                return within_line_limit(line).map(Some);
            }
            searched = self.out.len();
            within_line_limit(&self.out)?;
            if !self.read_more().await? {
                return match std::mem::take(&mut self.out) {
                    line if line.is_empty() => Ok(None),
                    line => within_line_limit(line).map(Some),
                };
            }
        }
    }

    /// Once stdout has ended: closes stdin, reads stderr to its end (a child whose stderr pipe
    /// fills up blocks, and would never exit) and waits for the exit.
    pub(super) async fn finish(&mut self) -> Result<(ExitStatus, String), ModelError> {
        self.stdin = None;
        std::future::poll_fn(|cx| {
            self.poll_stderr(cx);
            if self.stderr.is_some() {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        let status = self.child.wait().await.map_err(|e| ModelError::Process {
            program: self.program.clone(),
            code: None,
            message: e.to_string(),
        })?;
        Ok((status, String::from_utf8_lossy(&self.kept_stderr).trim().to_owned()))
    }
}

fn within_line_limit<T: AsRef<[u8]>>(line: T) -> Result<T, ModelError> {
    if line.as_ref().len() > BODY_LIMIT {
        return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
    }
    Ok(line)
}
