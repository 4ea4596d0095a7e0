//! The follow-up worker's dispatch: each delivered envelope goes to the use case for its kind —
//! effects to the [`Worker`] (once per effect key), one order of a whole-date job to the
//! command runner (once per job and order), a payout-run continuation to the payout use case.

use std::sync::Arc;

use super::{
    BatchOutcome, Clock, Delivery, EffectLog, FollowUpError, FollowUpPublisher, HandleDelivery,
    Notifier, PaymentGateway, Queue, Runner, Work, Worker, handle_batch,
};

/// Everything a dispatcher is wired with, as one trait: the runner's publisher and clock, the
/// queue payout runs continue on, and the worker's effect log, payment gateway and notifier.
/// Implemented for the tuple of the six, so `Dispatcher::new` infers it.
pub trait DispatchPorts: Send + Sync + 'static {
    type Publisher: FollowUpPublisher;
    type Clock: Clock;
    type Queue: Queue;
    type Effects: EffectLog;
    type Payments: PaymentGateway;
    type Messages: Notifier;
}

impl<P, C, Q, L, G, N> DispatchPorts for (P, C, Q, L, G, N)
where
    P: FollowUpPublisher + 'static,
    C: Clock + 'static,
    Q: Queue + 'static,
    L: EffectLog + 'static,
    G: PaymentGateway + 'static,
    N: Notifier + 'static,
{
    type Publisher = P;
    type Clock = C;
    type Queue = Q;
    type Effects = L;
    type Payments = G;
    type Messages = N;
}

/// The runner of `X`'s wiring.
type RunnerOf<X> = Runner<<X as DispatchPorts>::Publisher, <X as DispatchPorts>::Clock>;

/// The worker of `X`'s wiring.
type WorkerOf<X> = Worker<
    <X as DispatchPorts>::Effects,
    <X as DispatchPorts>::Payments,
    <X as DispatchPorts>::Messages,
>;

pub struct Dispatcher<X: DispatchPorts> {
    runner: Arc<RunnerOf<X>>,
    /// Where payout-run continuations go.
    queue: X::Queue,
    worker: WorkerOf<X>,
    /// Payouts released per run.
    payout_batch: usize,
}

impl<P, C, Q, L, G, N> Dispatcher<(P, C, Q, L, G, N)>
where
    (P, C, Q, L, G, N):
        DispatchPorts<Publisher = P, Clock = C, Queue = Q, Effects = L, Payments = G, Messages = N>,
{
    pub fn new(
        runner: Arc<Runner<P, C>>,
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
}

impl<X: DispatchPorts> Dispatcher<X> {
    /// Handles a batch: what to deliver again, and what can never succeed.
    pub async fn handle_batch(&self, deliveries: &[Delivery]) -> BatchOutcome {
        handle_batch(self, deliveries).await
    }
}

impl<X: DispatchPorts> HandleDelivery for Dispatcher<X> {
    async fn handle(&self, delivery: &Delivery) -> Result<(), FollowUpError> {
        match &delivery.envelope.work {
            Work::Effect { order, effect } => {
                self.worker
                    .carry_out(&delivery.envelope.key, order, effect)
                    .await
            }
            Work::DateOrder(item) => Ok(self.runner.run_date_order(item).await?),
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
                .map_err(FollowUpError::from),
        }
    }
}
