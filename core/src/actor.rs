//! Who is acting. Built at the edge from the authorizer's claims; the core decides what each
//! actor may do.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{CustomerId, PartnerId, StaffId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "role", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Customer(CustomerId),
    Partner(PartnerId),
    Staff(StaffId),
    /// Checkout and the scheduler.
    System,
}

impl Actor {
    /// Whether the actor may see the business side of what it may see at all: the ledger,
    /// the commission, the follow-ups to partners and staff. Customers never do.
    pub fn sees_business_side(&self) -> bool {
        !matches!(self, Actor::Customer(_))
    }

    /// The role as a phrase for refusals ("a customer may not …").
    pub fn role(&self) -> &'static str {
        match self {
            Actor::Customer(_) => "a customer",
            Actor::Partner(_) => "a partner",
            Actor::Staff(_) => "staff",
            Actor::System => "the system",
        }
    }

    pub(crate) fn forbidden(&self, action: &'static str) -> DomainError {
        DomainError::Forbidden {
            role: self.role(),
            action,
        }
    }

    /// Staff only.
    pub fn require_staff(&self, action: &'static str) -> Result<(), DomainError> {
        match self {
            Actor::Staff(_) => Ok(()),
            _ => Err(self.forbidden(action)),
        }
    }

    /// A partner's own listings (My Sales): that partner or staff. Another partner learns
    /// nothing (not found); other roles are refused.
    pub fn require_partner_or_staff(&self, partner: &PartnerId) -> Result<(), DomainError> {
        match self {
            Actor::Partner(p) if p == partner => Ok(()),
            Actor::Partner(_) => Err(DomainError::NotFound("partner")),
            Actor::Staff(_) => Ok(()),
            other => Err(other.forbidden("list a partner's orders")),
        }
    }

    /// Triggering a payout run: the scheduler (the system role) only.
    pub fn require_payout_scheduler(&self) -> Result<(), DomainError> {
        self.require_system("run payouts")
    }

    /// Operations (reconciliation, backlog): staff or the system.
    pub fn require_operations(&self, action: &'static str) -> Result<(), DomainError> {
        match self {
            Actor::System | Actor::Staff(_) => Ok(()),
            _ => Err(self.forbidden(action)),
        }
    }

    /// Checkout or scheduler only.
    pub(crate) fn require_system(&self, action: &'static str) -> Result<(), DomainError> {
        match self {
            Actor::System => Ok(()),
            _ => Err(self.forbidden(action)),
        }
    }
}
