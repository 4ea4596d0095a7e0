//! Operations: the payout run (the schedule, or the system on demand) and the reconciliation
//! of committed follow-ups.

use lambda_http::http::StatusCode;

use super::super::answers::{self, PayoutRunDone, PayoutRunPreview};
use super::super::bodies;
use super::super::request::{json, respond};
use super::{Api, Call, Routed};
use crate::app::{AppError, Clock, FollowUpPublisher, Queue};

/// Command records checked per reconciliation request (of each kind: not handed on, not
/// verified); the next request continues.
const RECONCILIATION_LIMIT: usize = 500;

impl<P, C, Q> Api<P, C, Q>
where
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
{
    pub(super) async fn payout_run(&self, call: &Call<'_>) -> Routed {
        let body: bodies::DryRunOnly = json(call.request)?;
        call.actor.require_payout_scheduler()?;
        let batch = self.settings.payout_batch;
        if body.dry_run {
            let preview = self.runner.preview_due_payouts(batch).await?;
            let answer = PayoutRunPreview {
                as_of: self.runner.clock().now(),
                dry_run: true,
                would_release: preview.would_release,
                would_refuse: answers::refused(preview.would_refuse),
                more: preview.more,
            };
            return Ok(respond(StatusCode::OK, &answer, None));
        }
        self.once(call, StatusCode::OK, || async {
            let run = self.runner.release_and_chain(batch, &self.queue).await?;
            let expiry = self.runner.expire_credit(batch).await?;
            Ok(PayoutRunDone {
                as_of: self.runner.clock().now(),
                released: run.released,
                refused: answers::refused(run.refused),
                more: run.more,
                credit_expired: answers::expired(expiry.expired),
            })
        })
        .await
    }

    pub(super) async fn reconcile(&self, call: &Call<'_>) -> Routed {
        let body: bodies::ReconciliationRun = json(call.request)?;
        call.actor.require_operations("run the reconciliation")?;
        let grace = body.grace()?;
        // With `resend` it sends follow-ups again: a key makes a retry answer the first run.
        self.once(call, StatusCode::OK, || async {
            let store = self.runner.store();
            let now = self.runner.clock().now();
            let report = crate::app::reconcile(
                store,
                &self.queue,
                store,
                now,
                grace,
                RECONCILIATION_LIMIT,
                body.resend,
            )
            .await
            .map_err(AppError::from)?;
            Ok(report)
        })
        .await
    }
}
