//! Progress of many dispatches: how many are done, failed and in flight, and the tokens so
//! far, reported to a callback by [`run_all_with_progress`](crate::run_all_with_progress) and
//! `batch::run_batch`.

use std::sync::{Mutex, PoisonError};

use crate::client::Usage;
use crate::error::RunError;
use crate::report::Run;

/// How far a fan-out or a batch has got. Every count is of dispatches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Every dispatch of the fan-out or batch.
    pub total: usize,
    /// Runs that ended with a typed output.
    pub done: usize,
    /// Runs that ended with an error.
    pub failed: usize,
    /// Runs started and not ended: model calls under way, or requests in a batch not yet read
    /// back.
    pub in_flight: usize,
    /// Input tokens of every attempt of the runs that ended.
    pub input_tokens: u64,
    /// Output tokens of every attempt of the runs that ended.
    pub output_tokens: u64,
}

impl Progress {
    /// Runs that ended, either way.
    pub fn finished(&self) -> usize {
        self.done + self.failed
    }

    /// Runs not started yet.
    pub fn waiting(&self) -> usize {
        self.total.saturating_sub(self.finished() + self.in_flight)
    }

    /// The share of runs that ended, from 0.0 to 1.0 (1.0 for none at all).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            return 1.0;
        }
        self.finished() as f64 / self.total as f64
    }

    /// Counts a run that ended, and its tokens.
    pub(crate) fn record<O>(&mut self, result: &Result<Run<O>, RunError>) {
        let usage = match result {
            Ok(run) => {
                self.done += 1;
                run.report.usage
            }
            Err(error) => {
                self.failed += 1;
                error.report.usage
            }
        };
        self.add_usage(usage);
    }

    fn add_usage(&mut self, usage: Usage) {
        self.input_tokens = self.input_tokens.saturating_add(usage.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(usage.output_tokens);
    }
}

/// Progress shared by the runs of a fan-out, each telling it when it starts and ends; the
/// callback sees every change, one at a time.
pub(crate) struct Tracker<F> {
    progress: Mutex<Progress>,
    callback: F,
}

impl<F: Fn(&Progress)> Tracker<F> {
    pub(crate) fn new(total: usize, callback: F) -> Self {
        Self { progress: Mutex::new(Progress { total, ..Progress::default() }), callback }
    }

    fn update(&self, change: impl FnOnce(&mut Progress)) {
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut progress);
        (self.callback)(&progress);
    }

    /// A run started.
    pub(crate) fn started(&self) {
        self.update(|p| {
            p.in_flight += 1;
            p.total = p.total.max(p.finished() + p.in_flight);
        });
    }

    /// A run ended with `result`.
    pub(crate) fn finished<O>(&self, result: &Result<Run<O>, RunError>) {
        self.update(|p| {
            p.in_flight = p.in_flight.saturating_sub(1);
            p.record(result);
        });
    }
}
