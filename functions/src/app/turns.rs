//! Taking turns at a number series across processes. In one process, commands issuing
//! documents of a series already take turns (a lock per series). Across processes (Lambda
//! instances) they race for the counter: the winner commits, the others decide again. With
//! many racing, most transactions were wasted and unlucky commands starved (p99 of seconds).
//! So a command that lost its number to another process once queues for its turn: it takes a
//! ticket, waits until its ticket is served, commits (retrying at once while it holds the
//! turn), and passes the turn on when it ends. Turns are advisory: the counter's condition
//! alone keeps numbers gapless and unique; a holder that died is skipped after a while.

use std::time::{Duration, Instant};

use storno_core::SeriesKey;

use super::retry::Attempts;
use super::{Clock, DateStore, FollowUpPublisher, OrderStore, Runner};

/// A turn not passed on for this long is taken to belong to a process that died.
const STALE_TURN: Duration = Duration::from_secs(2);
/// Waiting longer than this, a command goes on racing without its turn.
const MAX_TURN_WAIT: Duration = Duration::from_secs(10);
/// The time one turn is expected to take, for pacing the polls of those further back.
const TURN_ESTIMATE: Duration = Duration::from_millis(10);

/// Where one command stands with the numbers of its series: this process's lock (held across
/// its tries) and, once it lost a number to another process, its ticket.
#[derive(Default)]
pub(super) struct Numbering {
    pub(super) local: Option<tokio::sync::OwnedMutexGuard<()>>,
    turn: Option<(SeriesKey, u64)>,
}

impl<S: OrderStore + DateStore, P: FollowUpPublisher, C: Clock> Runner<S, P, C> {
    /// Another process took the series' next number. Holding the turn, try again at once;
    /// otherwise take a ticket and wait for its turn. Either way the next try reads the
    /// counter afresh.
    pub(super) async fn lost_number(
        &self,
        series: &SeriesKey,
        numbering: &mut Numbering,
        attempts: &mut Attempts,
    ) {
        if numbering.turn.is_some() {
            // Someone without a turn slipped in: only those who never lost race us.
            attempts.renumber().await;
            return;
        }
        let ticket = match self.store().take_turn_ticket(series).await {
            Ok(ticket) => ticket,
            Err(error) => {
                tracing::warn!(%error, "no turn taken; racing on");
                attempts.renumber().await;
                return;
            }
        };
        numbering.turn = Some((series.clone(), ticket));
        attempts.renumbered_in_turn();
        self.wait_for_turn(series, ticket).await;
        self.forget_number(series);
    }

    async fn wait_for_turn(&self, series: &SeriesKey, ticket: u64) {
        let started = Instant::now();
        let mut seen: Option<(u64, Instant)> = None;
        while started.elapsed() < MAX_TURN_WAIT {
            let serving = match self.store().turn_serving(series).await {
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
                        let _ = self.store().pass_turn(series, serving).await;
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

    /// The command ended (committed, refused or gave up): the next ticket's turn.
    pub(super) async fn end_turn(&self, numbering: Numbering) {
        if let Some((series, ticket)) = numbering.turn
            && let Err(error) = self.store().pass_turn(&series, ticket).await
        {
            // Those waiting skip it after a while.
            tracing::warn!(%error, "turn not passed on");
        }
        drop(numbering.local);
    }
}
