//! Partner payouts (DESIGN §3.5): due after the final course date ends plus a delay; never
//! while paused, withheld or already released; a reduction after release is a clawback debit.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{Context, Decision, DecisionBuilder};
use crate::error::DomainError;
use crate::followup::{Effect, Message};
use crate::ledger::Account;
use crate::money::Money;
use crate::order::Order;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Payout {
    pub released: Option<PayoutRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutRelease {
    pub at: DateTime<Utc>,
    /// What the partner was due from the order when it was released.
    pub settled: Money,
    /// Open partner debits offset against it (negative: an amount the platform owed added).
    pub offset: Money,
    /// What was transferred: `settled − offset`.
    pub transferred: Money,
}

/// Where an order's payout stands at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PayoutState {
    /// The rebook flag is on: nothing is paid until the course finally booked has run.
    Paused,
    /// The partner reported the course cannot run; the platform keeps its commission.
    Withheld,
    /// Everything was cancelled; the partner is due nothing.
    Cancelled,
    Scheduled {
        due_at: DateTime<Utc>,
    },
    Due {
        due_at: DateTime<Utc>,
        amount: Money,
    },
    Released {
        at: DateTime<Utc>,
        amount: Money,
    },
}

impl Order {
    /// When the payout falls due: the end of the final course date plus the delay.
    pub fn payout_due_at(&self) -> DateTime<Utc> {
        self.final_date_end() + Duration::days(self.payout_delay_days.into())
    }

    /// Whether a partner cancellation keeps the payout back.
    fn payout_withheld(&self) -> bool {
        self.commission_kept.is_some()
            || self
                .partner_cancellation
                .as_ref()
                .is_some_and(|pc| pc.is_open())
    }

    pub fn payout_state(&self, now: DateTime<Utc>) -> PayoutState {
        match self.payout_blocked() {
            Some(state) => state,
            None => {
                let due_at = self.payout_due_at();
                if now < due_at {
                    PayoutState::Scheduled { due_at }
                } else {
                    PayoutState::Due {
                        due_at,
                        amount: self.partner_due(),
                    }
                }
            }
        }
    }

    /// Why no payout can be released at any time, if there is such a reason.
    fn payout_blocked(&self) -> Option<PayoutState> {
        if let Some(release) = &self.payout.released {
            return Some(PayoutState::Released {
                at: release.at,
                amount: release.transferred,
            });
        }
        if self.payout_withheld() {
            return Some(PayoutState::Withheld);
        }
        if self.rebook_flag {
            return Some(PayoutState::Paused);
        }
        if !self.partner_due().is_positive() {
            return Some(PayoutState::Cancelled);
        }
        None
    }

    /// The due date under which this order belongs in the due-payout index, or `None` if it
    /// must not be found there (released, paused, withheld or nothing to pay).
    pub fn payout_index_due_at(&self) -> Option<DateTime<Utc>> {
        self.payout_blocked()
            .is_none()
            .then(|| self.payout_due_at())
    }
}

/// Releases the order's payout (the scheduler, acting as the system). `open_partner_debit` is
/// the partner's current open debit in the order's currency; it is offset first.
pub fn release_payout(
    order: &Order,
    open_partner_debit: Money,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    ctx.actor.require_system("release payouts")?;
    let amount = match order.payout_state(ctx.now) {
        PayoutState::Due { amount, .. } => amount,
        PayoutState::Released { .. } => return Err(DomainError::PayoutAlreadyReleased),
        PayoutState::Paused => return Err(DomainError::PayoutPaused),
        PayoutState::Withheld => return Err(DomainError::PayoutWithheld),
        PayoutState::Cancelled => return Err(DomainError::NothingToPayOut),
        PayoutState::Scheduled { .. } => return Err(DomainError::PayoutNotDue),
    };
    open_partner_debit.require_currency(order.currency)?;
    // A positive debit is offset up to the amount due; a negative one (the platform owes the
    // partner) is paid along with it.
    let offset = if open_partner_debit.is_positive() {
        open_partner_debit.min(amount)
    } else {
        open_partner_debit
    };
    let transferred = amount - offset;
    let mut after = order.clone();
    after.payout.released = Some(PayoutRelease {
        at: ctx.now,
        settled: amount,
        offset,
        transferred,
    });
    let mut decision = DecisionBuilder::change(order, ctx, "payout released");
    decision.grow(Account::CustomerPayments, -transferred);
    decision.grow(Account::PartnerDebits, -offset);
    if transferred.is_positive() {
        decision.effect(Effect::TransferPayout {
            partner: order.partner.clone(),
            amount: transferred,
        });
    }
    decision.effect(order.tell_partner(Message::PayoutReleased {
        amount: transferred,
    }));
    Ok(decision.finish(after, None))
}
