//! Partners as the platform knows them: whom commission invoices are addressed to, and what
//! each payout paid them (the statement).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::error::DomainError;
use crate::ids::{OrderId, PartnerId};
use crate::money::{Currency, Money};
use crate::numbering::DocumentNumber;
use crate::party::{NewRecipient, Recipient};

/// A partner of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Partner {
    pub id: PartnerId,
    /// The recipient of the platform's commission invoices (§ 14 UStG: name, address, VAT id).
    pub billing: Recipient,
}

/// A partner as staff or the onboarding system enter it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPartner {
    pub billing: NewRecipient,
}

impl Partner {
    /// Registers or replaces a partner (staff, the system).
    pub fn new(id: PartnerId, new: NewPartner, actor: &Actor) -> Result<Partner, DomainError> {
        actor.require_operations("configure partners")?;
        Ok(Partner {
            id,
            billing: new.billing.checked()?,
        })
    }

    /// Who may read a partner and its account: that partner and staff; another partner learns
    /// nothing.
    pub fn require_reader(id: &PartnerId, actor: &Actor) -> Result<(), DomainError> {
        match actor {
            Actor::Partner(p) if p == id => Ok(()),
            Actor::Staff(_) | Actor::System => Ok(()),
            Actor::Partner(_) => Err(DomainError::NotFound("partner")),
            other => Err(other.forbidden("read a partner's account")),
        }
    }
}

/// What one payout paid a partner, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PayoutStatement {
    pub partner: PartnerId,
    pub order: OrderId,
    pub released_at: DateTime<Utc>,
    pub currency: Currency,
    /// What the customer finally paid for the order (valid items and fees).
    pub customer_paid: Money,
    /// The platform's commission, VAT included (invoiced with `commission_invoice`).
    pub commission: Money,
    /// The partner's due for the order: what the customer paid less the commission.
    pub due: Money,
    /// Open partner debits offset against it (negative: the platform owed the partner).
    pub debits_offset: Money,
    /// What was transferred.
    pub transferred: Money,
    /// The platform's invoice of the commission to the partner.
    pub commission_invoice: Option<DocumentNumber>,
}

/// A change of a partner's open debits: commission kept on a course the partner could not run,
/// a clawback after a payout, or an offset against a payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DebitEntry {
    pub order: OrderId,
    pub at: DateTime<Utc>,
    /// Positive: the partner owes more; negative: offset or repaid.
    pub change: Money,
    /// The command that made it.
    pub reason: String,
}

/// An order whose payout is not released yet, and what it will pay the partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OpenPayable {
    pub order: OrderId,
    pub amount: Money,
    pub due_at: DateTime<Utc>,
}
