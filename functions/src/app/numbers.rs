//! Document numbers: the next free number of each series as last seen, and taking turns at a
//! series. In one process, commands issuing documents of a series take turns (a lock per
//! series) instead of racing for the same number. Across processes (Lambda instances) they race
//! for the counter: the winner commits, the others decide again. With many racing, most
//! transactions were wasted and unlucky commands starved (p99 of seconds). So a command that
//! lost its number to another process once queues for its turn: it takes a ticket, waits until
//! its ticket is served, commits (retrying at once while it holds the turn), and passes the
//! turn on when it ends. Turns are advisory: the counter's condition alone keeps numbers
//! gapless and unique; a holder that died is skipped after a while.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use storno_core::{Decision, SeriesKey};

use super::StoreError;
use super::retry::Attempts;
use crate::store::DynamoStore;

/// A turn not passed on for this long is taken to belong to a process that died.
const STALE_TURN: Duration = Duration::from_secs(2);
/// Waiting longer than this, a command goes on racing without its turn.
const MAX_TURN_WAIT: Duration = Duration::from_secs(10);
/// The time one turn is expected to take, for pacing the polls of those further back.
const TURN_ESTIMATE: Duration = Duration::from_millis(10);

/// The number series as this process knows them.
#[derive(Default)]
pub(super) struct NumberSeries {
    /// The next free number per series as last seen: saves a read per document-issuing command.
    /// A stale value only costs a retry (the counter's condition fails and reports the value).
    next: Mutex<HashMap<SeriesKey, u32>>,
    /// One lock per series: commands of this process that issue documents of one series commit
    /// one after the other.
    locks: Mutex<HashMap<SeriesKey, Arc<tokio::sync::Mutex<()>>>>,
}

/// Where one command stands with the numbers of its series: this process's lock (held across
/// its tries) and, once it lost a number to another process, its ticket.
#[derive(Default)]
pub(super) struct Turn {
    local: Option<tokio::sync::OwnedMutexGuard<()>>,
    ticket: Option<(SeriesKey, u64)>,
}

impl NumberSeries {
    /// The next free number of `series`: as last seen, else as stored.
    pub(super) async fn next(
        &self,
        store: &DynamoStore,
        series: &SeriesKey,
    ) -> Result<u32, StoreError> {
        if let Some(next) = self.known(series) {
            return Ok(next);
        }
        let next = store.next_number(series).await?;
        self.moved_to(series, next);
        Ok(next)
    }

    fn known(&self, series: &SeriesKey) -> Option<u32> {
        self.next.lock().expect("numbers lock").get(series).copied()
    }

    /// The series stands at `next` now (a commit took numbers, or a lost one reported it).
    pub(super) fn moved_to(&self, series: &SeriesKey, next: u32) {
        self.next
            .lock()
            .expect("numbers lock")
            .insert(series.clone(), next);
    }

    /// A committed decision took its numbers.
    pub(super) fn taken(&self, decision: &Decision) {
        if let Some(numbers) = &decision.numbers {
            self.moved_to(&numbers.series, numbers.first + numbers.count);
        }
    }

    /// Whether a decision may commit now as far as its document numbers go. A decision that
    /// takes numbers waits for its series' lock in this process (held until the command ends);
    /// if another command of this process used the numbers meanwhile, it must decide again
    /// (`false`), now in turn.
    pub(super) async fn in_turn(&self, decision: &Decision, turn: &mut Turn) -> bool {
        let Some(numbers) = &decision.numbers else {
            return true;
        };
        if turn.local.is_some() {
            return true;
        }
        let lock = Arc::clone(
            self.locks
                .lock()
                .expect("series locks")
                .entry(numbers.series.clone())
                .or_default(),
        );
        turn.local = Some(lock.lock_owned().await);
        self.known(&numbers.series)
            .is_none_or(|next| next == numbers.first)
    }

    /// Another process took the decision's next number. Holding the turn, try again at once;
    /// otherwise take a ticket and wait for its turn. Either way the next try reads the
    /// counter afresh.
    pub(super) async fn lost_to_another_process(
        &self,
        store: &DynamoStore,
        decision: &Decision,
        turn: &mut Turn,
        attempts: &mut Attempts,
    ) {
        let Some(series) = decision.numbers.as_ref().map(|n| &n.series) else {
            return attempts.renumber().await;
        };
        if turn.ticket.is_some() {
            // Someone without a turn slipped in: only those who never lost race us.
            return attempts.renumber().await;
        }
        let ticket = match store.take_turn_ticket(series).await {
            Ok(ticket) => ticket,
            Err(error) => {
                tracing::warn!(%error, "no turn taken; racing on");
                return attempts.renumber().await;
            }
        };
        turn.ticket = Some((series.clone(), ticket));
        attempts.renumbered_in_turn();
        wait_for_turn(store, series, ticket).await;
        self.next.lock().expect("numbers lock").remove(series);
    }

    /// The command ended (committed, refused or gave up): the next ticket's turn.
    pub(super) async fn end(&self, store: &DynamoStore, turn: Turn) {
        if let Some((series, ticket)) = turn.ticket
            && let Err(error) = store.pass_turn(&series, ticket).await
        {
            // Those waiting skip it after a while.
            tracing::warn!(%error, "turn not passed on");
        }
        drop(turn.local);
    }
}

async fn wait_for_turn(store: &DynamoStore, series: &SeriesKey, ticket: u64) {
    let started = Instant::now();
    let mut seen: Option<(u64, Instant)> = None;
    while started.elapsed() < MAX_TURN_WAIT {
        let serving = match store.turn_serving(series).await {
            Ok(serving) => serving,
            Err(error) => {
                tracing::warn!(%error, "turns not readable; racing on");
                return;
            }
        };
        if serving >= ticket {
            return;
        }
        match seen {
            Some((before, since)) if before == serving => {
                if since.elapsed() > STALE_TURN {
                    // Its holder is gone: pass its turn on (only one waiter succeeds).
                    let _ = store.pass_turn(series, serving).await;
                    seen = None;
                    continue;
                }
            }
            _ => seen = Some((serving, Instant::now())),
        }
        // Poll often when next, rarely when far back: one read per expected turn ahead.
        let ahead = u32::try_from(ticket - serving).unwrap_or(u32::MAX).min(10);
        let jitter = u64::from(chrono::Utc::now().timestamp_subsec_nanos() % 3);
        tokio::time::sleep(TURN_ESTIMATE * ahead / 2 + Duration::from_millis(2 + jitter)).await;
    }
}
