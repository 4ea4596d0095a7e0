//! The follow-up worker's dispatch: each delivered envelope goes to the use case for its kind —
//! effects to the [`Worker`] (once per effect key), one order of a whole-date job to the
//! command runner (once per job and order), a payout-run continuation to the payout use case.

use std::sync::Arc;

use super::{
    AppError, Clock, DateStore, Delivery, EffectLog, FollowUpPublisher, HandleDelivery, JobStore,
    Notifier, OrderStore, PaymentGateway, Queue, Runner, Work, Worker, handle_batch,
};

pub struct Dispatcher<S, P, C, Q, L, G, N> {
    runner: Arc<Runner<S, P, C>>,
    /// Where payout-run continuations go.
    queue: Q,
    worker: Worker<L, G, N>,
    /// Payouts released per run.
    payout_batch: usize,
}

impl<S, P, C, Q, L, G, N> Dispatcher<S, P, C, Q, L, G, N>
where
    S: OrderStore + DateStore + JobStore,
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
    L: EffectLog,
    G: PaymentGateway,
    N: Notifier,
{
    pub fn new(
        runner: Arc<Runner<S, P, C>>,
        queue: Q,
        worker: Worker<L, G, N>,
        payout_batch: usize,
    ) -> Self {
        Dispatcher {
            runner,
            queue,
            worker,
            payout_batch,
        }
    }

    /// Handles a batch; returns the handles of exactly the deliveries that failed.
    pub async fn handle_batch(&self, deliveries: &[Delivery]) -> Vec<String> {
        handle_batch(self, deliveries).await
    }
}

impl<S, P, C, Q, L, G, N> HandleDelivery for Dispatcher<S, P, C, Q, L, G, N>
where
    S: OrderStore + DateStore + JobStore,
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
    L: EffectLog,
    G: PaymentGateway,
    N: Notifier,
{
    async fn handle(&self, delivery: &Delivery) -> Result<(), String> {
        let text = |e: AppError| e.to_string();
        match &delivery.envelope.work {
            Work::Effect { order, effect } => {
                self.worker
                    .carry_out(&delivery.envelope.key, order, effect)
                    .await
            }
            Work::DateOrder(item) => self.runner.run_date_order(item).await.map_err(text),
            Work::ReleasePayouts => self
                .runner
                .release_and_chain(self.payout_batch, &self.queue)
                .await
                .map(|run| {
                    tracing::info!(
                        released = run.released.len(),
                        refused = run.refused.len(),
                        more = run.more,
                        "payout run continued"
                    );
                })
                .map_err(text),
        }
    }
}
