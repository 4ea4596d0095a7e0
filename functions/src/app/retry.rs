//! How the runner retries: bounded races with jittered backoff, free renumbering, and what a
//! failed commit asks for next.

use super::{AppError, StoreError};

/// How often a command is decided again after losing a race on its order before it answers 409.
pub const MAX_ATTEMPTS: usize = 12;
/// How often one command may be renumbered because other documents of its issuer were issued
/// meanwhile.
pub const MAX_RENUMBERS: usize = 200;

/// Counts a command's tries: races lost on the order and renumberings (only the issuer's
/// counter moved, taken by another process: in this process commands of one series take
/// turns), each after a jittered, growing pause so racing writers spread out.
#[derive(Default)]
pub(super) struct Attempts {
    lost: usize,
    renumbered: usize,
}

impl Attempts {
    pub(super) fn remain(&self) -> bool {
        self.lost < MAX_ATTEMPTS && self.renumbered < MAX_RENUMBERS
    }

    /// Another process took the series' next number: a short jittered pause (growing to at
    /// most 16 ms) spreads the processes out instead of re-deciding all at once.
    pub(super) async fn renumber(&mut self) {
        let ceiling = 1u64 << self.renumbered.min(4);
        let jitter = u64::from(chrono::Utc::now().timestamp_subsec_nanos()) % ceiling;
        self.renumbered += 1;
        tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
    }

    /// Counts a renumbering that waited for its turn instead of pausing.
    pub(super) fn renumbered_in_turn(&mut self) {
        self.renumbered += 1;
    }

    /// Pauses 1 to 2^lost ms (at most 128 ms) before the next try.
    pub(super) async fn lost_race(&mut self) {
        let ceiling = 1u64 << self.lost.min(7);
        let jitter = u64::from(chrono::Utc::now().timestamp_subsec_nanos()) % ceiling;
        self.lost += 1;
        tokio::time::sleep(std::time::Duration::from_millis(1 + jitter)).await;
    }
}

/// What to do after a failed commit.
pub(super) enum Retry {
    /// The order (or a balance) changed: back off, reload, decide again.
    Again,
    /// Only the number series moved on (another process): decide again with the number it
    /// reported after a short jittered pause. Not counted as a lost race, so writers of one busy
    /// issuer are not starved (bounded by [`MAX_RENUMBERS`]).
    Renumber,
    Replay,
    Fail(AppError),
}

/// How often a write whose response was lost is re-sent.
const MAX_RESENDS: usize = 3;

/// Runs `write`, and re-sends it (at most [`MAX_RESENDS`] times) while its answer was lost:
/// each write carries its own token, so a re-send the store already applied is harmless.
pub(super) async fn resending<T, F, Fut>(mut write: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut result = write().await;
    for _ in 0..MAX_RESENDS {
        match result {
            Err(StoreError::Ambiguous(_)) => result = write().await,
            _ => break,
        }
    }
    result
}
