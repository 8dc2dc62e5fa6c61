//! The batch under way: each round's requests split into provider batches and uploaded as they
//! are written, the batches polled, their results read line by line into the dispatches'
//! slots, and the replies that broke the contract sent again in the next round.

use std::ops::Range;
use std::time::{Duration, Instant};

use agentbind::{Agent, Dispatch};
use bytes::Bytes;

use super::backend::{Remote, State};
use super::id::{self, BatchId, Part};
use super::slot::{self, Slot};
use super::{wire, BatchClient, BatchOptions, BatchProgress, RequestCounts};
use crate::error::{ModelError, RunError, RunErrorKind};
use crate::options::RunOptions;
use crate::progress::Progress;
use crate::report::Run;
use crate::session::RunContract;

/// A batch submitted to a provider: [`id`](Self::id) to store, [`wait`](Self::wait) for the
/// results.
///
/// ```ignore
/// let batch = Batch::submit(&client, &dispatches, RunOptions::default(), BatchOptions::default()).await?;
/// store(batch.id().to_string());
/// let results = batch.wait(|p: &BatchProgress| store(p.id.to_string())).await;
/// // after a restart:
/// let id: BatchId = load().parse()?;
/// let results = Batch::resume(&client, &id, &dispatches, RunOptions::default(), BatchOptions::default())?
///     .wait(|_: &BatchProgress| {})
///     .await;
/// ```
pub struct Batch<'a, A: Agent, C: BatchClient + ?Sized> {
    client: &'a C,
    dispatches: &'a [Dispatch<A>],
    options: RunOptions,
    batch: BatchOptions,
    id: BatchId,
    model: Option<String>,
    slots: Vec<Slot<A::Output>>,
    /// The round under way: 0, then one more per repair round.
    round: usize,
    /// The dispatches of the round, ascending; the round's batches hold ranges of it.
    members: Vec<usize>,
    parts: Vec<Live>,
    started: Instant,
    round_started: Instant,
    progress: Progress,
}

/// A provider batch of the round under way.
struct Live {
    part: Part,
    remote: Option<Remote>,
    /// Polls or reads that failed in a row.
    failures: u32,
    /// The last error of a poll, a read or a result line.
    last_error: Option<ModelError>,
    /// Its results are read (or it failed for good).
    read: bool,
}

impl<'a, A, C> Batch<'a, A, C>
where
    A: Agent,
    C: BatchClient + ?Sized,
{
    fn new(
        client: &'a C,
        dispatches: &'a [Dispatch<A>],
        options: RunOptions,
        batch: BatchOptions,
        id: BatchId,
    ) -> Self {
        let now = Instant::now();
        Self {
            client,
            dispatches,
            options,
            batch,
            id,
            model: client.model_id(A::MODEL_KIND),
            slots: (0..dispatches.len()).map(|_| Slot::Waiting(None)).collect(),
            round: 0,
            members: (0..dispatches.len()).collect(),
            parts: Vec::new(),
            started: now,
            round_started: now,
            progress: Progress {
                total: dispatches.len(),
                in_flight: dispatches.len(),
                ..Progress::default()
            },
        }
    }

    /// Uploads `dispatches` and creates the provider batches of the first round (several when
    /// they are more than one batch takes). Fails when no batch could be created; a dispatch
    /// whose request cannot be written (an Anthropic model without an id) ends with that error.
    pub async fn submit(
        client: &'a C,
        dispatches: &'a [Dispatch<A>],
        options: RunOptions,
        batch: BatchOptions,
    ) -> Result<Self, ModelError> {
        let mut this = Self::new(client, dispatches, options, batch, BatchId::new(C::KIND, dispatches.len()));
        let (parts, error) = this.submit_round().await;
        match error {
            Some(error) if parts.is_empty() => Err(error),
            _ => {
                this.adopt(parts, true);
                Ok(this)
            }
        }
    }

    /// The batch `id` again, with the same `dispatches` in the same order: [`wait`](Self::wait)
    /// reads the results of its rounds from the provider, then goes on where it was. Fails for
    /// an id of another backend or of another number of dispatches.
    pub fn resume(
        client: &'a C,
        id: &BatchId,
        dispatches: &'a [Dispatch<A>],
        options: RunOptions,
        batch: BatchOptions,
    ) -> Result<Self, ModelError> {
        if id.backend() != C::KIND {
            return Err(ModelError::Config(format!(
                "batch `{id}` was sent to `{}`, not to this client's `{}`",
                id.backend(),
                C::KIND
            )));
        }
        if id.dispatches() != dispatches.len() {
            return Err(ModelError::Config(format!(
                "batch `{id}` runs {} dispatches, not {}",
                id.dispatches(),
                dispatches.len()
            )));
        }
        let mut this = Self::new(client, dispatches, options, batch, id.clone());
        let parts = id.round(0).map(<[Part]>::to_vec).unwrap_or_default();
        this.adopt(parts, false);
        Ok(this)
    }

    /// The id to store: every round submitted so far.
    pub fn id(&self) -> &BatchId {
        &self.id
    }

    /// Polls the batches until they are over, reads their results, sends the replies that
    /// broke the contract in repair rounds, and gives one result per dispatch, in input order.
    /// `progress` is called after every poll and every round.
    pub async fn wait<F>(mut self, progress: F) -> Vec<Result<Run<A::Output>, RunError>>
    where
        F: Fn(&BatchProgress) + Send + Sync,
    {
        let limit = self.batch.max_wait.min(self.options.timeout.unwrap_or(Duration::MAX));
        let deadline =
            self.started.checked_add(limit).unwrap_or_else(|| self.started + Duration::from_secs(1 << 40));
        loop {
            let running = self.poll_round(deadline).await;
            self.tell(&progress);
            if Instant::now() >= deadline {
                break;
            }
            if running {
                let next = (Instant::now() + self.batch.poll_interval).min(deadline);
                tokio::time::sleep_until(next.into()).await;
                continue;
            }
            self.close_round();
            if !self.slots.iter().any(|slot| matches!(slot, Slot::Repair(_))) {
                break;
            }
            self.start_round();
            match self.id.round(self.round) {
                Some(stored) => {
                    let parts = stored.to_vec();
                    self.adopt(parts, false);
                }
                None => {
                    let (parts, _) = self.submit_round().await;
                    self.adopt(parts, true);
                }
            }
            self.tell(&progress);
        }
        self.finish(limit)
    }

    /// Splits the round's dispatches into provider batches within the API's limits and
    /// creates each; gives the batches created and the first error.
    async fn submit_round(&mut self) -> (Vec<Part>, Option<ModelError>) {
        let limits = self.client.limits();
        let max_requests = self.batch.max_requests.map_or(limits.requests, |m| m.min(limits.requests));
        let max_bytes = self.batch.max_bytes.map_or(limits.bytes, |m| m.min(limits.bytes));
        let framing = self.client.framing();
        // First pass: the size of each request, to know where each batch ends and its exact
        // length. Only the batches' bounds are kept.
        let mut groups: Vec<(Range<usize>, u64, usize)> = Vec::new();
        let (mut start, mut bytes, mut requests) = (0, 0u64, 0usize);
        let mut line = Vec::new();
        for k in 0..self.members.len() {
            let i = self.members[k];
            line.clear();
            if let Err(error) = self.write_line(i, &mut line) {
                self.end_waiting(i, RunErrorKind::Model(error));
                continue;
            }
            let size = line.len() as u64;
            if framing.length(1, size) > max_bytes {
                let message = format!("the request is {size} bytes, more than one batch takes ({max_bytes})");
                let error = ModelError::BatchRequestFailed { batch: String::new(), status: None, message };
                self.end_waiting(i, RunErrorKind::Model(error));
                continue;
            }
            if requests > 0
                && (requests == max_requests || framing.length(requests + 1, bytes + size) > max_bytes)
            {
                groups.push((start..k, bytes, requests));
                (start, bytes, requests) = (k, 0, 0);
            }
            bytes += size;
            requests += 1;
        }
        if requests > 0 {
            groups.push((start..self.members.len(), bytes, requests));
        }
        let mut parts = Vec::new();
        let mut first_error = None;
        for (members, bytes, requests) in groups {
            match self.upload(members.clone(), framing.length(requests, bytes), &framing).await {
                Ok(id) => parts.push(Part { id, members }),
                Err(error) => {
                    for k in members {
                        self.end_waiting(self.members[k], RunErrorKind::Model(error.clone()));
                    }
                    first_error.get_or_insert(error);
                }
            }
        }
        (parts, first_error)
    }

    /// Second pass: writes the requests of `members` into an upload of `length` bytes as the
    /// connection takes them, and creates the batch.
    async fn upload(
        &self,
        members: Range<usize>,
        length: u64,
        framing: &super::backend::Framing,
    ) -> Result<String, ModelError> {
        let (writer, upload) = wire::upload(length);
        let this = self;
        let produce = async move {
            let mut chunk = Vec::with_capacity(2 * wire::CHUNK);
            chunk.extend_from_slice(&framing.prefix);
            let mut first = true;
            for &i in &this.members[members] {
                if !this.slots[i].is_waiting() {
                    continue;
                }
                if !first {
                    chunk.extend_from_slice(framing.separator);
                }
                first = false;
                // It was written once already; it writes the same way again.
                if this.write_line(i, &mut chunk).is_err() {
                    return;
                }
                if chunk.len() >= wire::CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(2 * wire::CHUNK));
                    if writer.send(Bytes::from(full)).await.is_err() {
                        return; // the request ended: its error is the creation's
                    }
                }
            }
            chunk.extend_from_slice(&framing.suffix);
            let _ = writer.send(Bytes::from(chunk)).await;
        };
        let ((), created) = futures_util::future::join(produce, self.client.create(upload, length)).await;
        created
    }

    /// Writes the request of dispatch `i` in the round under way.
    fn write_line(&self, i: usize, out: &mut Vec<u8>) -> Result<(), ModelError> {
        let dispatch = &self.dispatches[i];
        let pending = match &self.slots[i] {
            Slot::Waiting(pending) => pending.as_deref(),
            _ => None,
        };
        let messages = slot::conversation(dispatch, pending, self.options.reply_format);
        let first = messages.first().map_or("", |m| m.content.as_str());
        let custom_id = id::custom_id(dispatch.agent_name(), i, self.round, first);
        self.client.write_request(&custom_id, &slot::request(dispatch, &messages, &self.options), out)
    }

    /// Makes `parts` the round's batches (`submitted`: new ones, added to the id).
    fn adopt(&mut self, parts: Vec<Part>, submitted: bool) {
        if submitted && !parts.is_empty() {
            self.id.push_round(parts.clone());
        }
        self.parts = parts
            .into_iter()
            .map(|part| Live { part, remote: None, failures: 0, last_error: None, read: false })
            .collect();
    }

    /// The next round: the dispatches waiting for a repair.
    fn start_round(&mut self) {
        self.round += 1;
        self.round_started = Instant::now();
        self.members.clear();
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Slot::Repair(_) = slot {
                let Slot::Repair(pending) = std::mem::replace(slot, Slot::Waiting(None)) else { continue };
                *slot = Slot::Waiting(Some(pending));
                self.members.push(i);
            }
        }
    }

    /// Polls each batch of the round not read yet, and reads those that are over. Whether
    /// any is still running.
    async fn poll_round(&mut self, deadline: Instant) -> bool {
        let mut running = false;
        for p in 0..self.parts.len() {
            if self.parts[p].read {
                continue;
            }
            if !self.parts[p].remote.as_ref().is_some_and(|r| r.state.is_over()) {
                let id = self.parts[p].part.id.clone();
                match tokio::time::timeout_at(deadline.into(), self.client.status(&id)).await {
                    Err(_) => return true,
                    Ok(Ok(remote)) => {
                        self.parts[p].failures = 0;
                        self.parts[p].remote = Some(remote);
                    }
                    Ok(Err(error)) => {
                        running |= !self.failed(p, error);
                        continue;
                    }
                }
            }
            if !self.parts[p].remote.as_ref().is_some_and(|r| r.state.is_over()) {
                running = true;
                continue;
            }
            match tokio::time::timeout_at(deadline.into(), self.read_part(p)).await {
                Err(_) => return true,
                Ok(Ok(())) => {
                    self.parts[p].read = true;
                    self.close_part(p);
                }
                Ok(Err(error)) => running |= !self.failed(p, error),
            }
        }
        running
    }

    /// A poll or read of batch `p` failed; past the limit, its waiting dispatches end with
    /// `error`. Whether it is given up.
    fn failed(&mut self, p: usize, error: ModelError) -> bool {
        let live = &mut self.parts[p];
        live.failures += 1;
        if live.failures <= self.batch.poll_failures {
            live.last_error = Some(error);
            return false;
        }
        live.read = true;
        for k in self.members_of(p) {
            self.end_waiting(self.members[k], RunErrorKind::Model(error.clone()));
        }
        true
    }

    /// Positions in `members` of batch `p`'s dispatches.
    fn members_of(&self, p: usize) -> Range<usize> {
        let range = &self.parts[p].part.members;
        range.start.min(self.members.len())..range.end.min(self.members.len())
    }

    /// Reads every result file of batch `p`, line by line.
    async fn read_part(&mut self, p: usize) -> Result<(), ModelError> {
        let Some(remote) = self.parts[p].remote.clone() else { return Ok(()) };
        let batch = self.parts[p].part.id.clone();
        let idle = self.client.idle();
        // A server that sends more lines than requests is cut off there.
        let most = self.members_of(p).len().saturating_mul(2).saturating_add(16);
        for url in &remote.results {
            let response = wire::send(self.client.get(url)?, url, idle).await?;
            let mut lines = wire::Lines::new(response, idle);
            let mut count = 0;
            while let Some(line) = lines.next().await? {
                count += 1;
                if count > most {
                    break;
                }
                match self.client.result(&batch, line) {
                    Ok((custom_id, outcome)) => self.apply(p, &custom_id, outcome),
                    Err(error) => self.parts[p].last_error = Some(error),
                }
            }
        }
        Ok(())
    }

    /// A result of batch `p`: into the slot its `custom_id` names, when that dispatch waits for
    /// one in this batch (others are ignored: results for another round, read twice, or not
    /// ours).
    fn apply(&mut self, p: usize, custom_id: &str, outcome: Result<crate::Completion, ModelError>) {
        let Some((i, round, hash)) = id::parse_custom_id(custom_id) else { return };
        let members = self.members_of(p);
        if round != self.round
            || i >= self.slots.len()
            || !self.slots[i].is_waiting()
            || self.members[members].binary_search(&i).is_err()
        {
            return;
        }
        let Slot::Waiting(pending) = std::mem::replace(&mut self.slots[i], Slot::Waiting(None)) else {
            return;
        };
        let dispatch = &self.dispatches[i];
        let prompt_hash = match pending.as_ref().and_then(|p| p.report.attempts.first()) {
            Some(first) => id::prompt_hash(&first.request),
            None => id::prompt_hash(&dispatch.first_message(self.options.reply_format)),
        };
        if prompt_hash == hash {
            if let Ok(completion) = &outcome {
                let progress = &mut self.progress;
                progress.input_tokens = progress.input_tokens.saturating_add(completion.usage.input_tokens);
                progress.output_tokens =
                    progress.output_tokens.saturating_add(completion.usage.output_tokens);
            }
        }
        let context = self.context();
        let slot = if prompt_hash != hash {
            let message = format!(
                "the result `{custom_id}` is of another dispatch at index {i}: resume with the same dispatches, in the same order"
            );
            let batch = self.parts[p].part.id.clone();
            let error = ModelError::BatchRequestFailed { batch, status: None, message };
            Slot::Failed(Box::new(slot::waiting_error(
                dispatch,
                pending,
                RunErrorKind::Model(error),
                &context,
            )))
        } else {
            slot::record(dispatch, pending, outcome, &context)
        };
        self.set(i, slot);
    }

    /// Batch `p` is read: its dispatches that got no result end, as the batch did.
    fn close_part(&mut self, p: usize) {
        let live = &self.parts[p];
        let batch = live.part.id.clone();
        let error = match live.remote.as_ref().map(|r| (r.state, r.message.clone())) {
            Some((State::Expired, _)) => ModelError::BatchExpired { batch },
            Some((State::Canceled, _)) => ModelError::BatchCanceled { batch },
            Some((State::Failed, message)) => {
                let message = message.unwrap_or_else(|| "the batch failed".to_owned());
                ModelError::BatchRequestFailed { batch, status: None, message }
            }
            _ => {
                let mut message = "no result for this request in the batch's results".to_owned();
                if let Some(error) = &live.last_error {
                    message.push_str(&format!(" (the last unreadable result: {error})"));
                }
                ModelError::BatchRequestFailed { batch, status: None, message }
            }
        };
        for k in self.members_of(p) {
            let i = self.members[k];
            if self.slots[i].is_waiting() {
                let kind = RunErrorKind::Model(self.unwritable(i).unwrap_or_else(|| error.clone()));
                self.end_waiting(i, kind);
            }
        }
    }

    /// The round is over: dispatches in none of its batches (a batch that could not be
    /// created before a restart) end.
    fn close_round(&mut self) {
        for k in 0..self.members.len() {
            let i = self.members[k];
            if self.slots[i].is_waiting() {
                let message = "in no batch of its round: the batch could not be created".to_owned();
                let error = ModelError::BatchRequestFailed { batch: String::new(), status: None, message };
                let kind = RunErrorKind::Model(self.unwritable(i).unwrap_or(error));
                self.end_waiting(i, kind);
            }
        }
    }

    /// Why dispatch `i`'s request cannot be written, when it cannot (so it was never sent).
    fn unwritable(&self, i: usize) -> Option<ModelError> {
        self.write_line(i, &mut Vec::new()).err()
    }

    /// Ends dispatch `i`, waiting for a result, with `kind`.
    fn end_waiting(&mut self, i: usize, kind: RunErrorKind) {
        let Slot::Waiting(pending) = std::mem::replace(&mut self.slots[i], Slot::Waiting(None)) else {
            return;
        };
        let error = slot::waiting_error(&self.dispatches[i], pending, kind, &self.context());
        self.set(i, Slot::Failed(Box::new(error)));
    }

    fn set(&mut self, i: usize, slot: Slot<A::Output>) {
        match &slot {
            Slot::Done(_) => self.progress.done += 1,
            Slot::Failed(_) => self.progress.failed += 1,
            _ => {}
        }
        self.progress.in_flight = self.progress.total - self.progress.finished();
        self.slots[i] = slot;
    }

    fn context(&self) -> slot::Context<'_> {
        slot::Context {
            backend: self.client.backend(),
            model: self.model.clone(),
            options: &self.options,
            round: self.round_started.elapsed(),
            batch: self.started.elapsed(),
        }
    }

    /// Tells `progress` where the batch is.
    fn tell<F: Fn(&BatchProgress)>(&self, progress: &F) {
        let mut requests = RequestCounts::default();
        for remote in self.parts.iter().filter_map(|live| live.remote.as_ref()) {
            requests.total = requests.total.saturating_add(remote.total);
            requests.succeeded = requests.succeeded.saturating_add(remote.succeeded);
            requests.failed = requests.failed.saturating_add(remote.failed);
        }
        let status = self
            .parts
            .iter()
            .filter_map(|live| live.remote.as_ref())
            .find(|remote| !remote.state.is_over())
            .or_else(|| self.parts.last().and_then(|live| live.remote.as_ref()))
            .map(|remote| remote.status.clone())
            .unwrap_or_default();
        progress(&BatchProgress {
            progress: self.progress,
            round: self.round,
            requests,
            status,
            id: self.id.clone(),
        });
    }

    /// The results, in input order: dispatches not ended ran out of time.
    fn finish(mut self, limit: Duration) -> Vec<Result<Run<A::Output>, RunError>> {
        let slots = std::mem::take(&mut self.slots);
        let context = self.context();
        slots
            .into_iter()
            .zip(self.dispatches)
            .map(|(slot, dispatch)| match slot {
                Slot::Done(run) => Ok(*run),
                Slot::Failed(error) => Err(*error),
                Slot::Waiting(pending) => {
                    Err(slot::waiting_error(dispatch, pending, RunErrorKind::Timeout(limit), &context))
                }
                Slot::Repair(pending) => {
                    Err(slot::waiting_error(dispatch, Some(pending), RunErrorKind::Timeout(limit), &context))
                }
            })
            .collect()
    }
}
