//! Order intake (the checkout): idempotent by order id — the same order again answers the
//! first receipt; another order under a known id is a conflict — and, when the request carries
//! one, by its `Idempotency-Key` like every other command.

use storno_core::{Actor, Context, EventDate, NewOrder, OrderId, SeriesKey};

use super::command_loop::{Attempt, Command, Ended, Keys, Plan};
use super::{AppError, Clock, FollowUpPublisher, Idempotency, Receipt, Runner};

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// Registers a paid order (201 with its receipt).
    pub async fn register(
        &self,
        new: NewOrder,
        actor: &Actor,
        payload: &[u8],
        key: Option<&Idempotency>,
    ) -> Result<Receipt, AppError> {
        // Before any replay: an intake's receipt is the registrar's alone.
        storno_core::require_order_registrar(actor)?;
        let order_id = new.id.clone();
        let by_id = Idempotency::new("intake", order_id.as_str(), payload);
        let keys = Keys {
            keys: std::iter::once(&by_id).chain(key).collect(),
            status: 201,
        };
        let intake = Intake {
            runner: self,
            new: &new,
            actor,
        };
        let ended = self.run_command(&keys, intake).await?;
        match ended {
            Ended::Committed(receipt) => Ok(*receipt),
            Ended::Refused(refusal) => {
                match self.registered_before(key, &by_id, &order_id).await? {
                    Some(receipt) => Ok(receipt),
                    None => Err(refusal.into()),
                }
            }
            Ended::KeyTaken => self
                .registered_before(key, &by_id, &order_id)
                .await?
                .ok_or(AppError::Conflict),
        }
    }

    async fn attempt_intake(&self, new: &NewOrder, actor: &Actor) -> Result<Attempt, AppError> {
        let dates = self.booked_dates(new).await?;
        let issuer = match self.issuer(&new.issuer).await {
            Ok(issuer) => issuer,
            Err(AppError::Domain(refusal)) => return Ok(Attempt::Refused(refusal)),
            Err(error) => return Err(error),
        };
        let now = self.clock().now();
        let series = SeriesKey::for_issue(&issuer, now);
        let ctx = Context {
            now,
            actor: actor.clone(),
            next_document_seq: self.numbers.next(self.store(), &series).await?,
            issuer,
        };
        Ok(
            match storno_core::register_order(new.clone(), &dates, &ctx) {
                Ok(decision) => Attempt::Write(Box::new(Plan {
                    decision,
                    expected_version: None,
                    previous_parts: 0,
                    partner_debit_read: None,
                    active_dates: dates.iter().map(|d| d.id.clone()).collect(),
                })),
                Err(refusal) => Attempt::Refused(refusal),
            },
        )
    }

    /// The dates an intake books, as stored now.
    async fn booked_dates(&self, new: &NewOrder) -> Result<Vec<EventDate>, AppError> {
        let mut dates: Vec<EventDate> = Vec::new();
        for id in new.bookings.iter().map(|b| &b.date) {
            if dates.iter().any(|d| &d.id == id) {
                continue;
            }
            if let Some(date) = self.store().load_date(id).await? {
                dates.push(date);
            }
        }
        Ok(dates)
    }

    /// What an intake registered before answers: the header key's receipt first (the key
    /// reused for another request → 422), else the same order's by its id; another order
    /// under the id is a conflict of ids (409), not a reused key — the caller may have sent none.
    async fn registered_before(
        &self,
        key: Option<&Idempotency>,
        by_id: &Idempotency,
        order: &OrderId,
    ) -> Result<Option<Receipt>, AppError> {
        if let Some(key) = key
            && let Some(receipt) = self.stored_receipt(key).await?
        {
            return Ok(Some(receipt));
        }
        match self.stored_receipt(by_id).await {
            Err(AppError::IdempotencyKeyReused) => Err(AppError::OrderExists(order.to_string())),
            other => other,
        }
    }
}

/// One intake: its dates and issuer are read on every attempt.
struct Intake<'a, P, C> {
    runner: &'a Runner<P, C>,
    new: &'a NewOrder,
    actor: &'a Actor,
}

impl<P: FollowUpPublisher, C: Clock> Command for Intake<'_, P, C> {
    async fn attempt(&mut self, _consistent: bool) -> Result<Attempt, AppError> {
        self.runner.attempt_intake(self.new, self.actor).await
    }
}
