//! Partner payouts: due after the final course date ends plus a delay; never
//! while paused, withheld or already released; a reduction after release is a clawback debit.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{Context, Decision, DecisionBuilder};
use crate::document::{
    Document, DocumentHeader, DocumentKind, DocumentLine, LineKind, ServicePeriod,
};
use crate::error::DomainError;
use crate::followup::{Effect, Message};
use crate::issuer::PriceEntry;
use crate::ledger::Account;
use crate::money::Money;
use crate::order::Order;
use crate::partner::{Partner, PayoutStatement};
use crate::rate::VatRate;

/// Why a payout waits for staff, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PayoutHold {
    pub since: DateTime<Utc>,
    pub reason: HoldReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// The booked date passed while the rebook flag was on: whether the course ran is for staff
    /// to confirm (or a rebooking or cancellation resolves it).
    DatePassedUnderRebookFlag,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Payout {
    pub released: Option<PayoutRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PayoutState {
    /// The rebook flag is on, or a customer's rebooking was approved: nothing is paid until
    /// the course finally booked has run.
    Paused,
    /// The booked date passed under the rebook flag: staff release it once they know the
    /// course ran.
    Held {
        since: DateTime<Utc>,
    },
    /// The partner reported a course cannot run; the platform keeps its commission.
    Withheld,
    /// The invoice is being changed: the payout waits for its new version, so the partner is
    /// paid what the documents state.
    InvoiceEditing,
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

    /// Whether a partner cancellation keeps the payout back (until it is resolved).
    fn payout_withheld(&self) -> bool {
        self.partner_cancellation
            .as_ref()
            .is_some_and(|pc| pc.is_open())
    }

    /// Whether a rebooking under way pauses the payout: the flag, or an approved request not
    /// carried out yet.
    fn payout_paused(&self) -> bool {
        self.rebook_flag
            || self
                .rebooking_requests
                .iter()
                .any(|r| matches!(r.state, crate::rebooking::RequestState::Approved { .. }))
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
        if self.payout_paused() {
            return Some(PayoutState::Paused);
        }
        if let Some(hold) = &self.payout_hold {
            return Some(PayoutState::Held { since: hold.since });
        }
        if self.invoice.status == crate::invoice::InvoiceStatus::Editing {
            return Some(PayoutState::InvoiceEditing);
        }
        if !self.partner_due().is_positive() {
            return Some(PayoutState::Cancelled);
        }
        None
    }

    /// The due date under which this order belongs in the due-payout index, or `None` if it
    /// must not be found there (released, paused, held, withheld, editing or nothing to pay).
    pub fn payout_index_due_at(&self) -> Option<DateTime<Utc>> {
        self.payout_blocked()
            .is_none()
            .then(|| self.payout_due_at())
    }
}

/// The VAT rate of the platform's commission invoices: the German standard rate (the platform
/// is established in Germany and invoices its service to partners there).
pub const COMMISSION_VAT_PERCENT: u32 = 19;

/// Releases the order's payout (the scheduler, acting as the system). `open_partner_debit` is
/// the partner's current open debit in the order's currency; it is offset first. The context's
/// issuer is the platform's: it invoices `partner` the commission on the order (a document of
/// its own number series, kept with the order but not in the customer's archive), and the
/// decision carries the payout's statement.
pub fn release_payout(
    order: &Order,
    open_partner_debit: Money,
    partner: &Partner,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    ctx.actor.require_system("release payouts")?;
    if partner.id != order.partner {
        return Err(DomainError::NotFound("partner"));
    }
    let amount = due_now(order, ctx.now)?;
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
    decision.grow(Account::TransfersPayable, transferred);
    decision.grow(Account::PartnerDebits, -offset);
    let commission = order.commission();
    let mut numbers = order.numbers(ctx);
    let invoice = commission.is_positive().then(|| {
        let invoice = commission_invoice(order, commission, partner, ctx, &mut numbers);
        book_commission(&mut decision, commission, &invoice);
        invoice
    });
    decision.payout_statement(PayoutStatement {
        partner: order.partner.clone(),
        order: order.id.clone(),
        released_at: ctx.now,
        currency: order.currency,
        customer_paid: order.owed(),
        commission,
        due: amount,
        debits_offset: offset,
        transferred,
        commission_invoice: invoice.as_ref().map(|d| d.number.clone()),
    });
    if let Some(invoice) = invoice {
        decision.detached_document(invoice);
    }
    if transferred.is_positive() {
        decision.effect(Effect::TransferPayout {
            partner: order.partner.clone(),
            amount: transferred,
        });
    }
    decision.effect(order.tell_partner(Message::PayoutReleased {
        amount: transferred,
    }));
    Ok(decision.finish(after, Some(numbers)))
}

/// What is due to the partner now, or why nothing is.
fn due_now(order: &Order, now: chrono::DateTime<chrono::Utc>) -> Result<Money, DomainError> {
    match order.payout_state(now) {
        PayoutState::Due { amount, .. } => Ok(amount),
        PayoutState::Released { .. } => Err(DomainError::PayoutAlreadyReleased),
        PayoutState::Paused => Err(DomainError::PayoutPaused),
        PayoutState::Held { .. } => Err(DomainError::PayoutHeld),
        PayoutState::Withheld => Err(DomainError::PayoutWithheld),
        PayoutState::InvoiceEditing => Err(DomainError::PayoutAwaitsInvoice),
        PayoutState::Cancelled => Err(DomainError::NothingToPayOut),
        PayoutState::Scheduled { .. } => Err(DomainError::PayoutNotDue),
    }
}

/// Invoiced: the commission becomes the platform's revenue and the VAT it owes.
fn book_commission(decision: &mut DecisionBuilder, commission: Money, invoice: &Document) {
    decision.grow(Account::PlatformCommission, -commission);
    for rate in &invoice.vat_breakdown {
        decision.grow(Account::CommissionVat(rate.rate), rate.vat);
    }
    decision.grow(Account::CommissionRevenue, commission - invoice.vat);
}

/// Whether the platform's commission is reverse charged: a business partner with a VAT id of
/// another member state than the platform's receives the service where it is established
/// (§ 3a Abs. 2 UStG) and owes the VAT itself (§ 13b UStG, Art. 196 VAT Directive). The
/// invoice then carries no VAT and says so (§ 14a Abs. 5 UStG).
pub fn commission_reverse_charged(issuer: &crate::issuer::Issuer, partner: &Partner) -> bool {
    let theirs = partner
        .billing
        .vat_id
        .as_ref()
        .and_then(|id| id.eu_member_state());
    let ours = issuer.vat_id.as_ref().and_then(|id| id.eu_member_state());
    match (ours, theirs) {
        (Some(ours), Some(theirs)) => ours != theirs && !issuer.is_vat_exempt(),
        _ => false,
    }
}

/// The platform's invoice of its commission on `order` to the partner: one line, priced gross
/// (the commission is a share of what the customer paid, VAT included), for the order's course
/// days; reverse charged to a partner in another member state (no VAT: the partner owes it).
fn commission_invoice(
    order: &Order,
    commission: Money,
    partner: &Partner,
    ctx: &Context,
    numbers: &mut crate::numbering::NumberAllocator,
) -> Document {
    let issuer = &ctx.issuer;
    let reverse_charged = commission_reverse_charged(issuer, partner);
    let rate = if issuer.is_vat_exempt() || reverse_charged {
        VatRate::ZERO
    } else {
        VatRate::new(COMMISSION_VAT_PERCENT.into()).expect("a valid rate")
    };
    let mut line = DocumentLine::gross_priced(
        LineKind::Item,
        format!(
            "Provision auf Auftrag {} ({} von {})",
            order.id,
            crate::german::percent(&order.commission_rate),
            crate::german::money(&order.items_gross())
        )
        .into(),
        1,
        commission,
        rate,
    );
    let bookings: Vec<_> = if order.valid_bookings().next().is_some() {
        order.valid_bookings().collect()
    } else {
        order.bookings.iter().collect()
    };
    let periods = bookings.iter().map(|b| b.date.service_period());
    line.service_period = periods.reduce(|a, b| ServicePeriod {
        start: a.start.min(b.start),
        end: a.end.max(b.end),
    });
    let header = DocumentHeader {
        order: order.id.clone(),
        customer: order.customer.clone(),
        seller: issuer.seller(),
        recipient: partner.billing.clone(),
        currency: order.currency,
        prices: PriceEntry::Gross,
    };
    let mut invoice = Document::new(
        numbers.take(&issuer.numbers),
        DocumentKind::CommissionInvoice {
            payout_of: order.id.clone(),
        },
        header,
        ctx.now,
        ctx.issue_date(),
        Vec::new(),
        vec![line],
    );
    if reverse_charged {
        for rate in &mut invoice.vat_breakdown {
            rate.category = crate::vat::VatCategory::ReverseCharge;
            rate.exemption_reason = Some(crate::vat::REVERSE_CHARGE_NOTE.into());
        }
    }
    invoice
}

/// Staff confirm that the course of a held payout ran: the hold ends and the payout falls due
/// as usual.
pub fn release_payout_hold(order: &Order, ctx: &Context) -> Result<Decision, DomainError> {
    ctx.actor.require_staff("release a held payout")?;
    if order.payout_hold.is_none() {
        return Err(DomainError::NoPayoutHold);
    }
    let mut after = order.clone();
    after.payout_hold = None;
    let decision = DecisionBuilder::change(order, ctx, "payout hold released");
    Ok(decision.finish(after, None))
}
