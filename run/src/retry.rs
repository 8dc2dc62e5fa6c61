//! The waits between retries of failed model calls.

use std::time::Duration;

/// The waits before retries: `base` doubled for each retry after the first, at most `max`,
/// with jitter; a wait the server asked for is taken as it is, up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub(crate) base: Duration,
    pub(crate) max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: Duration::from_millis(500), max: Duration::from_secs(60) }
    }
}

impl Backoff {
    /// The wait before retry `retry` (1 for the first), or before the next call when the
    /// server asked for `retry_after`; `None` when that is longer than `max`.
    pub(crate) fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(asked) = retry_after {
            return (asked <= self.max).then_some(asked);
        }
        let factor = 1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX);
        let full = self.base.saturating_mul(factor).min(self.max);
        let half = full / 2;
        Some(half + jitter(full - half))
    }
}

/// A duration from zero to `range`, picked by a randomly keyed hash of the time: enough to
/// spread retries without a random-number dependency.
fn jitter(range: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    if range.is_zero() {
        return Duration::ZERO;
    }
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    hasher.write_u128(now.as_nanos());
    // `range * hash / 2^64`, in two halves that cannot overflow (`range` has fewer than 95
    // bits of nanoseconds). `pick` is at most `range`, so its seconds fit in a u64.
    let (hash, nanos) = (u128::from(hasher.finish()), range.as_nanos());
    let pick = (nanos >> 64) * hash + (((nanos & u128::from(u64::MAX)) * hash) >> 64);
    let secs = u64::try_from(pick / 1_000_000_000).unwrap_or(u64::MAX);
    Duration::new(secs, (pick % 1_000_000_000) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_base_up_to_the_max_with_jitter_in_their_upper_half() {
        let backoff = Backoff { base: Duration::from_millis(100), max: Duration::from_millis(350) };
        for _ in 0..50 {
            for (retry, full) in [(1, 100), (2, 200), (3, 350), (40, 350)] {
                let wait = backoff.wait(retry, None).unwrap();
                let full = Duration::from_millis(full);
                assert!(wait >= full / 2 && wait <= full, "retry {retry}: {wait:?}");
            }
        }
        let zero = Backoff { base: Duration::ZERO, max: Duration::from_secs(1) };
        assert_eq!(zero.wait(1, None), Some(Duration::ZERO));
        let huge = Backoff { base: Duration::MAX, max: Duration::MAX };
        assert!(huge.wait(u32::MAX, None).unwrap() >= Duration::MAX / 2);
    }

    #[test]
    fn a_wait_the_server_asked_for_is_kept_up_to_the_max() {
        let backoff = Backoff { base: Duration::from_millis(100), max: Duration::from_secs(5) };
        assert_eq!(backoff.wait(1, Some(Duration::from_secs(5))), Some(Duration::from_secs(5)));
        assert_eq!(backoff.wait(2, Some(Duration::ZERO)), Some(Duration::ZERO));
        assert_eq!(backoff.wait(1, Some(Duration::from_secs(6))), None);
    }
}
