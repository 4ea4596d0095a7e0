//! The customer's credit account: credit granted (a partner cancellation settled
//! with credit, or money returned the way it came), spent at checkout, expired, or paid out by
//! staff. Per customer and currency; never overdrawn.
//!
//! Credit is consumed oldest grant first: a grant expires with what is left of it once
//! everything spent, expired or paid out has used up the grants before it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::error::DomainError;
use crate::followup::{Effect, FollowUp, Message};
use crate::ids::{CustomerId, OrderId};
use crate::ledger::{Account, Posting, PostingBuilder};
use crate::money::{Currency, Money};
use crate::time_zone::TimeZone;

/// How long granted credit is valid by default: until the end of the third year after the
/// grant (the German regular limitation period, §§ 195, 199 BGB).
pub const DEFAULT_VALID_YEARS: u32 = 3;

/// The longest validity accepted in the configuration.
pub const MAX_VALID_YEARS: u32 = 30;

/// New Year in Berlin of `year`.
fn new_year(year: i32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .map(|date| TimeZone::BERLIN.start_of(date))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn years(valid_years: u32) -> i32 {
    i32::try_from(valid_years.min(MAX_VALID_YEARS)).unwrap_or(3)
}

/// When credit granted at `granted_at` expires: the end of the `valid_years`-th year after the
/// year of the grant, in Berlin.
pub fn expires_at(granted_at: DateTime<Utc>, valid_years: u32) -> DateTime<Utc> {
    new_year(year_of(granted_at) + years(valid_years) + 1)
}

/// Grants made before this instant have expired at `now`: the validity is counted in calendar
/// years, so this is New Year of the year `valid_years` before now's.
pub fn expired_if_granted_before(now: DateTime<Utc>, valid_years: u32) -> DateTime<Utc> {
    new_year(year_of(now) - years(valid_years))
}

/// What moved on a credit account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CreditMovement {
    /// Credit granted from an order: money it returned, and why.
    Granted { order: OrderId, reason: String },
    /// Spent at checkout on an order.
    Redeemed { order: OrderId },
    /// What was left of the grant made at `granted_at` when it expired (booked to the
    /// platform).
    Expired { granted_at: DateTime<Utc> },
    /// Paid out to the customer's original payment by staff.
    PaidOut,
}

/// One entry of a credit account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreditEntry {
    pub customer: CustomerId,
    pub at: DateTime<Utc>,
    pub amount: Money,
    #[serde(flatten)]
    pub movement: CreditMovement,
}

impl CreditEntry {
    /// The signed change of the balance.
    pub fn change(&self) -> Money {
        match self.movement {
            CreditMovement::Granted { .. } => self.amount,
            _ => -self.amount,
        }
    }
}

/// A customer's credit in one currency, as its balance holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreditAccount {
    pub customer: CustomerId,
    pub currency: Currency,
    pub balance: Money,
    /// Everything ever granted.
    pub granted: Money,
    /// Everything spent, expired or paid out.
    pub consumed: Money,
    /// How many decisions of the account's own stream (expiry, cash-out) were recorded.
    pub revision: u64,
}

impl CreditAccount {
    pub fn empty(customer: CustomerId, currency: Currency) -> Self {
        let zero = Money::zero(currency);
        CreditAccount {
            customer,
            currency,
            balance: zero,
            granted: zero,
            consumed: zero,
            revision: 0,
        }
    }

    /// Who may see the account: the customer and staff.
    pub fn require_reader(customer: &CustomerId, actor: &Actor) -> Result<(), DomainError> {
        match actor {
            Actor::Customer(c) if c == customer => Ok(()),
            Actor::Customer(_) | Actor::Partner(_) => Err(DomainError::NotFound("customer")),
            Actor::Staff(_) => Ok(()),
            Actor::System => Err(actor.forbidden("read a customer's credit")),
        }
    }

    /// What is left of a grant of `amount`, granted after grants of `granted_before` in all,
    /// once `consumed` was used oldest grant first.
    pub fn remaining_of_grant(&self, granted_before: Money, amount: Money) -> Money {
        let zero = Money::zero(self.currency);
        (granted_before + amount - self.consumed)
            .max(zero)
            .min(amount)
    }

    /// Expires what is left of `grant` (the scheduler, as the system), made after grants of
    /// `granted_before` in all: `None` if it has not expired at `now` or nothing is left of it.
    pub fn expire(
        &self,
        grant: &CreditEntry,
        granted_before: Money,
        valid_years: u32,
        now: DateTime<Utc>,
    ) -> Option<CreditDecision> {
        if !matches!(grant.movement, CreditMovement::Granted { .. })
            || grant.at >= expired_if_granted_before(now, valid_years)
        {
            return None;
        }
        let left = self
            .remaining_of_grant(granted_before, grant.amount)
            .min(self.balance);
        if !left.is_positive() {
            return None;
        }
        let movement = CreditMovement::Expired {
            granted_at: grant.at,
        };
        let message = Message::CreditExpired { amount: left };
        Some(self.decide(left, movement, Account::CreditExpired, None, message, now))
    }

    /// Staff pay out `amount` (all of the balance when `None`) to the customer's original
    /// payment: a refund, booked from the credit to refunds payable.
    pub fn pay_out(
        &self,
        amount: Option<Money>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CreditDecision, DomainError> {
        actor.require_staff("pay out a customer's credit")?;
        if let Some(asked) = amount {
            asked.require_amount_in(self.currency)?;
            if asked.is_zero() {
                return Err(DomainError::InvalidInput(
                    "the amount to pay out must be above zero (leave it out to pay out the whole balance)".into(),
                ));
            }
        }
        let amount = amount.unwrap_or(self.balance);
        if !amount.is_positive() {
            return Err(DomainError::NoCredit);
        }
        if amount.amount() > self.balance.amount() {
            return Err(DomainError::InsufficientCredit {
                wanted: amount.to_string(),
                balance: self.balance.to_string(),
            });
        }
        let refund = Effect::Refund {
            customer: self.customer.clone(),
            amount,
        };
        let message = Message::CreditPaidOut { amount };
        Ok(self.decide(
            amount,
            CreditMovement::PaidOut,
            Account::RefundsPayable,
            Some(refund),
            message,
            now,
        ))
    }

    /// Credit of `amount` leaving the account to `to`: the next revision of its stream.
    fn decide(
        &self,
        amount: Money,
        movement: CreditMovement,
        to: Account,
        effect: Option<Effect>,
        message: Message,
        now: DateTime<Utc>,
    ) -> CreditDecision {
        let stream = OrderId::credit_stream(&self.customer, self.currency);
        let revision = self.revision + 1;
        let memo = match movement {
            CreditMovement::Expired { .. } => "credit expired",
            _ => "credit paid out",
        };
        let posting = PostingBuilder::new()
            .grow(Account::CustomerCredit, -amount)
            .grow(to, amount)
            .build_for(stream.clone(), None, self.customer.clone(), now, memo)
            .expect("a positive amount moves");
        let notify = Effect::NotifyCustomer {
            customer: self.customer.clone(),
            message,
            document: None,
        };
        let followups = FollowUp::keyed_on(&stream, revision, effect.into_iter().chain([notify]));
        let mut after = self.clone();
        after.balance = self.balance - amount;
        after.consumed = self.consumed + amount;
        after.revision = revision;
        CreditDecision {
            before: self.clone(),
            account: after,
            stream,
            entry: CreditEntry {
                customer: self.customer.clone(),
                at: now,
                amount,
                movement,
            },
            posting,
            followups,
        }
    }
}

/// A decision on a customer's credit account alone (expiry, cash-out). It is recorded on the
/// account's own stream ([`OrderId::credit_stream`]) as revision `account.revision`, only if
/// the account is still as `before` when written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreditDecision {
    pub before: CreditAccount,
    pub account: CreditAccount,
    pub stream: OrderId,
    pub entry: CreditEntry,
    pub posting: Posting,
    pub followups: Vec<FollowUp>,
}

/// How a registered order was paid: by credit, and the rest by the original payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Card, transfer, wallet: the payment provider's side.
    Original,
    /// The customer's credit account.
    Credit,
}

/// One part of a checkout payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentPart {
    pub method: PaymentMethod,
    pub amount: Money,
}

/// The credit part of payment parts summing to `captured` (zero without parts); refuses parts
/// that do not add up or are not positive.
pub fn credit_part(
    parts: &[PaymentPart],
    captured: Money,
    currency: Currency,
) -> Result<Money, DomainError> {
    let zero = Money::zero(currency);
    if parts.is_empty() {
        return Ok(zero);
    }
    let mut sum = zero;
    let mut credit = zero;
    for part in parts {
        part.amount.require_amount_in(currency)?;
        if !part.amount.is_positive() {
            return Err(DomainError::InvalidInput(
                "each payment part must be a positive amount".into(),
            ));
        }
        sum = sum + part.amount;
        if part.method == PaymentMethod::Credit {
            credit = credit + part.amount;
        }
    }
    if sum != captured {
        return Err(DomainError::InvalidInput(format!(
            "the payment parts add up to {sum}, but {captured} was captured"
        )));
    }
    Ok(credit)
}

/// The year of an instant in Berlin (the credit's calendar).
pub fn year_of(at: DateTime<Utc>) -> i32 {
    TimeZone::BERLIN.year_of(at)
}

impl OrderId {
    /// The stream of a customer's credit account in one currency: its command records
    /// (postings, follow-ups) live where an order's would, so the outbox, the worker and the
    /// reconciliation treat them alike.
    pub fn credit_stream(customer: &CustomerId, currency: Currency) -> OrderId {
        OrderId::credit_stream_named(&format!("{customer}.{currency}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use rust_decimal_macros::dec;

    fn eur(amount: rust_decimal::Decimal) -> Money {
        Money::new(amount, Currency::EUR).unwrap()
    }

    #[test]
    fn credit_expires_at_the_end_of_the_third_year_after_the_grant() {
        let granted = Utc.with_ymd_and_hms(2025, 6, 15, 10, 0, 0).unwrap();
        let expiry = expires_at(granted, DEFAULT_VALID_YEARS);
        // 1 January 2029 00:00 in Berlin is 31 December 2028 23:00 UTC.
        assert_eq!(
            expiry,
            Utc.with_ymd_and_hms(2028, 12, 31, 23, 0, 0).unwrap()
        );
        let just_before = expiry - chrono::Duration::seconds(1);
        assert!(granted >= expired_if_granted_before(just_before, DEFAULT_VALID_YEARS));
        assert!(granted < expired_if_granted_before(expiry, DEFAULT_VALID_YEARS));
    }

    #[test]
    fn grants_are_used_oldest_first() {
        let mut account = CreditAccount::empty(CustomerId::parse("c").unwrap(), Currency::EUR);
        account.granted = eur(dec!(150));
        account.consumed = eur(dec!(70));
        account.balance = eur(dec!(80));
        // The first grant (100.00) has 30.00 left; the second (50.00) all of it.
        assert_eq!(
            account.remaining_of_grant(eur(dec!(0)), eur(dec!(100))),
            eur(dec!(30))
        );
        assert_eq!(
            account.remaining_of_grant(eur(dec!(100)), eur(dec!(50))),
            eur(dec!(50))
        );
    }

    #[test]
    fn payment_parts_must_add_up_to_what_was_captured() {
        let parts = [
            PaymentPart {
                method: PaymentMethod::Original,
                amount: eur(dec!(60)),
            },
            PaymentPart {
                method: PaymentMethod::Credit,
                amount: eur(dec!(40)),
            },
        ];
        assert_eq!(
            credit_part(&parts, eur(dec!(100)), Currency::EUR).unwrap(),
            eur(dec!(40))
        );
        assert!(credit_part(&parts, eur(dec!(99)), Currency::EUR).is_err());
    }
}
