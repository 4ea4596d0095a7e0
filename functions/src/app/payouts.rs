//! The payout-release use case (the scheduler): pages the sparse due-payout index and releases
//! each due payout in its own transaction, bounded per run.

use storno_core::{Actor, Decision, DomainError, Money, OrderId, PayoutStatement};

use super::command_loop::{Attempt, Command, Ended, Keys, Plan};
use super::{AppError, Clock, Envelope, FollowUpPublisher, LoadedOrder, Queue, Receipt, Runner};

/// What one run did.
#[derive(Debug, Default)]
pub struct PayoutRun {
    pub released: Vec<OrderId>,
    /// Orders found due whose release the core refused at commit time (e.g. flagged meanwhile).
    pub refused: Vec<(OrderId, String)>,
    /// More payouts are due than this run was allowed to release.
    pub more: bool,
}

/// What a run would do now (a dry run): the statements of the payouts it would release (without
/// the commission invoice's number, given when issued) and the refusals, nothing written.
#[derive(Debug, Default)]
pub struct PayoutPreview {
    pub would_release: Vec<PayoutStatement>,
    pub would_refuse: Vec<(OrderId, String)>,
    pub more: bool,
}

/// Orders read from the index per page.
const PAGE: usize = 100;

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// Releases one order's payout (the scheduler): reads the order and the partner's open
    /// debit, and commits only if neither changed.
    pub async fn release_payout(&self, order: &OrderId) -> Result<Receipt, AppError> {
        let release = Release {
            runner: self,
            order,
        };
        match self.run_command(&Keys::of(None), release).await? {
            Ended::Committed(receipt) => Ok(*receipt),
            Ended::Refused(refusal) => Err(refusal.into()),
            // Without a key no other request can have taken it.
            Ended::KeyTaken => Err(AppError::Conflict),
        }
    }

    /// What releasing `order`'s payout decides now, read consistently: the order, the partner's
    /// open debit it was decided with, and the decision. Writes nothing (a dry run stops here).
    pub async fn decide_release(
        &self,
        order: &OrderId,
    ) -> Result<(LoadedOrder, Money, Decision), AppError> {
        let store = self.store();
        let loaded = store
            .load_order(order, true)
            .await?
            .ok_or(DomainError::NotFound("order"))?;
        let partner_id = &loaded.order.partner;
        let debit = store
            .partner_debit(partner_id, loaded.order.currency)
            .await?;
        let partner = store
            .load_partner(partner_id)
            .await?
            .ok_or_else(|| DomainError::PartnerBillingMissing(partner_id.to_string()))?;
        // The platform invoices the commission: its issuer and number series.
        let platform = &self.policy().platform_issuer;
        let issuer = self.issuer(platform).await.map_err(|error| match error {
            AppError::Domain(DomainError::UnknownIssuer(_)) => {
                DomainError::PlatformIssuerMissing(platform.to_string()).into()
            }
            other => other,
        })?;
        let ctx = self.context_with(issuer, &Actor::System).await?;
        let decision = storno_core::release_payout(&loaded.order, debit, &partner, &ctx)?;
        Ok((loaded, debit, decision))
    }

    /// Releases up to `max` due payouts.
    pub async fn release_due_payouts(&self, max: usize) -> Result<PayoutRun, AppError> {
        let now = self.clock().now();
        let mut run = PayoutRun::default();
        let mut start = None;
        if max == 0 {
            run.more = true;
            return Ok(run);
        }
        loop {
            let room = max - run.released.len() - run.refused.len();
            let page = self.store().due_payouts(now, PAGE.min(room), start).await?;
            for id in page.items {
                match self.release_payout(&id).await {
                    Ok(_) => run.released.push(id),
                    Err(AppError::Domain(refusal)) => {
                        run.refused.push((id, refusal.code().to_owned()));
                    }
                    // One order's trouble must not hold up the others: the next run retries it.
                    Err(other) => {
                        tracing::warn!(order = %id, error = %other, "payout not released this run");
                        run.refused.push((id, "failed".to_owned()));
                    }
                }
            }
            if page.next.is_none() {
                return Ok(run);
            }
            if run.released.len() + run.refused.len() >= max {
                run.more = true;
                return Ok(run);
            }
            start = page.next;
        }
    }
}

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// What a run of up to `max` releases would do now, deciding each due payout exactly as
    /// the run does but writing nothing.
    pub async fn preview_due_payouts(&self, max: usize) -> Result<PayoutPreview, AppError> {
        let now = self.clock().now();
        let mut preview = PayoutPreview::default();
        let mut start = None;
        loop {
            let room = max.saturating_sub(preview.would_release.len() + preview.would_refuse.len());
            if room == 0 {
                preview.more = true;
                return Ok(preview);
            }
            let page = self.store().due_payouts(now, PAGE.min(room), start).await?;
            for id in page.items {
                match self.decide_release(&id).await {
                    Ok((_, _, decision)) => {
                        // Each is decided alone, so each would take the same next number: the
                        // commission invoice's number is given when the run issues it.
                        let statements = decision.payout_statement.into_iter();
                        preview
                            .would_release
                            .extend(statements.map(|statement| PayoutStatement {
                                commission_invoice: None,
                                ..statement
                            }));
                    }
                    Err(AppError::Domain(refusal)) => {
                        preview.would_refuse.push((id, refusal.code().to_owned()));
                    }
                    Err(other) => return Err(other),
                }
            }
            match page.next {
                Some(next) => start = Some(next),
                None => return Ok(preview),
            }
        }
    }

    /// One bounded payout run (the schedule, or a continuation message): releases up to `max`,
    /// and when more is due hands the rest on as a message to `queue`. A run that released
    /// nothing does not chain, so payouts refused again and again never loop.
    pub async fn release_and_chain(
        &self,
        max: usize,
        queue: &impl Queue,
    ) -> Result<PayoutRun, AppError> {
        let run = self.release_due_payouts(max).await?;
        if run.more && !run.released.is_empty() {
            let key = format!("release-payouts:{}", self.clock().now().timestamp_millis());
            let refused = queue
                .send(&[Envelope::release_payouts(key)])
                .await
                .map_err(|e| AppError::Unavailable(e.to_string()))?;
            if !refused.is_empty() {
                // The next scheduled run picks up what is left.
                tracing::warn!("payout run continuation not queued");
            }
        }
        Ok(run)
    }
}

/// One payout release, decided on consistent reads.
struct Release<'a, P, C> {
    runner: &'a Runner<P, C>,
    order: &'a OrderId,
}

impl<P: FollowUpPublisher, C: Clock> Command for Release<'_, P, C> {
    async fn attempt(&mut self, _consistent: bool) -> Result<Attempt, AppError> {
        let (loaded, debit, decision) = self.runner.decide_release(self.order).await?;
        Ok(Attempt::Write(Box::new(Plan {
            decision,
            expected_version: Some(loaded.order.revision),
            previous_parts: loaded.parts,
            partner_debit_read: Some(debit),
            active_dates: Vec::new(),
        })))
    }
}
