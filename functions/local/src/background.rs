//! What runs beside the HTTP listener: the follow-up workers, the payout schedule, the outbox
//! sweeper and the reconciliation, each a task until [`Background::stop`]; and the report of
//! where the follow-ups stand.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use storno_functions::app::{Backlog, Clock, Outbox, Queue, Reconciliation};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{Local, PAYOUT_BATCH, SWEEP_LIMIT};

/// Where the follow-ups stand: what waits in the queue, what never reached it, what the last
/// reconciliation found.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpReport {
    pub queue: Backlog,
    /// Command records whose follow-ups are not in the queue yet (the sweeper's work).
    pub not_handed_on: usize,
    /// The queue is drained: nothing waits, nothing is being worked on, nothing is left to
    /// hand on. Says nothing about follow-ups lost before they reached the queue: see
    /// `missing` and `all_done`.
    pub settled: bool,
    /// Commands whose follow-ups the last reconciliation found not done (0 before the first).
    pub missing: usize,
    /// Settled, and the last reconciliation found nothing missing.
    pub all_done: bool,
    pub last_reconciliation: Option<Reconciliation>,
}

/// The background tasks (workers, schedules); [`Background::stop`] ends them.
pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Asks every task to stop after its current step and waits for them (at most `patience`).
    pub async fn stop(self, patience: Duration) {
        let _ = self.stop.send(true);
        let all = futures_join(self.tasks);
        if tokio::time::timeout(patience, all).await.is_err() {
            tracing::warn!("background tasks still busy after {patience:?}; stopping anyway");
        }
    }
}

async fn futures_join(tasks: Vec<JoinHandle<()>>) {
    for task in tasks {
        let _ = task.await;
    }
}

/// Sleeps `period` unless told to stop; `false` once stopping.
async fn pause(stop: &mut watch::Receiver<bool>, period: Duration) -> bool {
    if *stop.borrow() {
        return false;
    }
    tokio::select! {
        _ = tokio::time::sleep(period) => !*stop.borrow(),
        _ = stop.changed() => false,
    }
}

impl Local {
    /// Receives one batch and hands it to the dispatcher (what the follow-up Lambda does with
    /// SQS); returns how many deliveries were received and how many succeeded.
    pub async fn work_once(&self) -> (usize, usize) {
        let batch = match self.queue.receive(10, self.config.visibility).await {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!(%error, "receiving follow-ups failed");
                return (0, 0);
            }
        };
        if batch.is_empty() {
            return (0, 0);
        }
        let outcome = self.dispatcher.handle_batch(&batch).await;
        let mut failed = outcome.retry;
        if !outcome.dead.is_empty()
            && let Err(error) = self.queue.bury(&outcome.dead).await
        {
            // Not moved: delivered again, and dead-lettered after its receives run out.
            tracing::warn!(%error, "follow-ups not moved to the dead letters");
            failed.extend(outcome.dead.into_iter().map(|d| d.handle));
        }
        let done: Vec<String> = batch
            .iter()
            .map(|d| d.handle.clone())
            .filter(|h| !failed.contains(h))
            .collect();
        if let Err(error) = self.queue.delete(&done).await {
            // Not deleted: they come back after the visibility timeout, and are recognised.
            tracing::warn!(%error, "handled follow-ups not deleted");
        }
        (batch.len(), done.len())
    }

    /// Hands every visible follow-up to the dispatcher, `workers` batches at a time, until none
    /// is visible (failed ones come back after the visibility timeout); returns how many
    /// deliveries were handled successfully.
    pub async fn drain(&self) -> usize {
        let mut handled = 0;
        loop {
            let rounds = futures::future::join_all(
                (0..self.config.workers.max(1)).map(|_| self.work_once()),
            )
            .await;
            let received: usize = rounds.iter().map(|(r, _)| r).sum();
            handled += rounds.iter().map(|(_, d)| d).sum::<usize>();
            if received == 0 {
                return handled;
            }
        }
    }

    /// One payout run now (the schedule's tick).
    pub async fn payout_tick(&self) {
        match self
            .api
            .runner()
            .release_and_chain(PAYOUT_BATCH, &self.queue)
            .await
        {
            Ok(run) if !run.released.is_empty() => {
                tracing::info!(released = run.released.len(), "payout run")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "payout run failed"),
        }
        match self.api.runner().expire_credit(PAYOUT_BATCH).await {
            Ok(run) if !run.expired.is_empty() => {
                tracing::info!(expired = run.expired.len(), "credit expired")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "credit expiry failed"),
        }
    }

    /// One reconciliation now: commands older than the configured age whose follow-ups are
    /// not all done are logged and kept for the report.
    pub async fn reconcile(&self, resend: bool) -> Option<Reconciliation> {
        let result = self
            .sweeper
            .reconcile(
                &self.store,
                self.clock.now(),
                self.config.reconcile_after,
                SWEEP_LIMIT,
                resend,
            )
            .await;
        match result {
            Ok(report) => {
                if !report.is_clean() {
                    tracing::warn!(
                        unfinished = report.unfinished.len(),
                        "reconciliation: follow-ups of committed commands not carried out"
                    );
                }
                *self.last_reconciliation.lock().expect("report lock") = Some(report.clone());
                Some(report)
            }
            Err(error) => {
                tracing::warn!(%error, "reconciliation failed");
                None
            }
        }
    }

    /// Where the follow-ups stand now.
    pub async fn followup_report(&self) -> Result<FollowUpReport, String> {
        // The queue stamps its messages with the real time; command records carry the
        // (possibly shifted) clock of the commands.
        let queue = self
            .queue
            .backlog(chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        let far = self.clock.now() + chrono::Duration::days(3650);
        let not_handed_on = self
            .store
            .pending(far, SWEEP_LIMIT)
            .await
            .map_err(|e| e.to_string())?
            .len();
        let last_reconciliation = self
            .last_reconciliation
            .lock()
            .expect("report lock")
            .clone();
        let missing = last_reconciliation
            .as_ref()
            .map_or(0, |report| report.unfinished.len());
        let settled = queue.is_idle() && not_handed_on == 0;
        Ok(FollowUpReport {
            settled,
            missing,
            all_done: settled && missing == 0,
            queue,
            not_handed_on,
            last_reconciliation,
        })
    }

    /// Runs the workers, the payout schedule, the outbox sweeper and the reconciliation in the
    /// background until [`Background::stop`].
    pub fn spawn_background(self: &Arc<Self>, payout_every: Duration) -> Background {
        let (stop, stopping) = watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..self.config.workers.max(1) {
            let local = Arc::clone(self);
            let mut stopping = stopping.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    if *stopping.borrow() {
                        return;
                    }
                    let (received, _) = local.work_once().await;
                    if received == 0 {
                        // Idle: wake on a send in this process, or poll for messages whose
                        // visibility ran out.
                        tokio::select! {
                            _ = local.queue.sent() => {}
                            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                            _ = stopping.changed() => return,
                        }
                    }
                }
            }));
        }
        let local = Arc::clone(self);
        let mut stopping_payouts = stopping.clone();
        tasks.push(tokio::spawn(async move {
            while pause(&mut stopping_payouts, payout_every).await {
                local.payout_tick().await;
            }
        }));
        let local = Arc::clone(self);
        let mut stopping_sweeps = stopping.clone();
        tasks.push(tokio::spawn(async move {
            let period = local.config.sweep_every;
            while pause(&mut stopping_sweeps, period).await {
                // The clock commands stamp their records with (shifted or not).
                let now = local.clock.now();
                match local.sweeper.sweep(now, period, SWEEP_LIMIT).await {
                    Ok(0) => {}
                    Ok(handed_on) => tracing::info!(handed_on, "outbox swept"),
                    Err(error) => tracing::warn!(%error, "outbox sweep failed"),
                }
            }
        }));
        let local = Arc::clone(self);
        let mut stopping_checks = stopping.clone();
        tasks.push(tokio::spawn(async move {
            let period = local.config.reconcile_every;
            while pause(&mut stopping_checks, period).await {
                local.reconcile(false).await;
                if let Ok(report) = local.followup_report().await
                    && !report.all_done
                {
                    tracing::info!(
                        waiting = report.queue.waiting,
                        in_flight = report.queue.in_flight,
                        dead = report.queue.dead,
                        oldest_wait_s = report.queue.oldest_wait.map(|d| d.as_secs()),
                        not_handed_on = report.not_handed_on,
                        missing = report.missing,
                        "follow-up backlog"
                    );
                }
            }
        }));
        Background { stop, tasks }
    }
}
