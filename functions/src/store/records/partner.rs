//! Stored partners and their account: the registry entry, payout statements, debit entries
//! and the payables still open.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storno_core::{
    Currency, DebitEntry, DocumentNumber, Money, OrderId, Partner, PartnerId, PayoutStatement,
};

use super::RECORD_VERSION;
use super::parties::RecipientRecord;
use crate::app::StoreError;

/// A partner of the registry (`PARTNER#{id}` / `PROFILE`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartnerRecord {
    rv: u32,
    id: PartnerId,
    billing: RecipientRecord,
}

impl From<&Partner> for PartnerRecord {
    fn from(p: &Partner) -> Self {
        PartnerRecord {
            rv: RECORD_VERSION,
            id: p.id.clone(),
            billing: (&p.billing).into(),
        }
    }
}

impl PartnerRecord {
    pub fn into_domain(self) -> Result<Partner, StoreError> {
        Ok(Partner {
            id: self.id,
            billing: self.billing.into_domain()?,
        })
    }
}

/// What a payout paid (`PARTNER#{id}` / `PAYOUT#{cur}#{released}#{order}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementRecord {
    rv: u32,
    partner: PartnerId,
    order: OrderId,
    released_at: DateTime<Utc>,
    currency: Currency,
    customer_paid: Money,
    commission: Money,
    due: Money,
    debits_offset: Money,
    transferred: Money,
    #[serde(default)]
    commission_invoice: Option<DocumentNumber>,
}

impl From<&PayoutStatement> for StatementRecord {
    fn from(s: &PayoutStatement) -> Self {
        StatementRecord {
            rv: RECORD_VERSION,
            partner: s.partner.clone(),
            order: s.order.clone(),
            released_at: s.released_at,
            currency: s.currency,
            customer_paid: s.customer_paid,
            commission: s.commission,
            due: s.due,
            debits_offset: s.debits_offset,
            transferred: s.transferred,
            commission_invoice: s.commission_invoice.clone(),
        }
    }
}

impl StatementRecord {
    pub fn into_domain(self) -> PayoutStatement {
        PayoutStatement {
            partner: self.partner,
            order: self.order,
            released_at: self.released_at,
            currency: self.currency,
            customer_paid: self.customer_paid,
            commission: self.commission,
            due: self.due,
            debits_offset: self.debits_offset,
            transferred: self.transferred,
            commission_invoice: self.commission_invoice,
        }
    }
}

/// A change of the partner's open debits (`PARTNER#{id}` / `DEBIT#{cur}#{at}#{order}#{rev}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DebitEntryRecord {
    rv: u32,
    order: OrderId,
    at: DateTime<Utc>,
    change: Money,
    reason: String,
}

impl From<&DebitEntry> for DebitEntryRecord {
    fn from(d: &DebitEntry) -> Self {
        DebitEntryRecord {
            rv: RECORD_VERSION,
            order: d.order.clone(),
            at: d.at,
            change: d.change,
            reason: d.reason.clone(),
        }
    }
}

impl DebitEntryRecord {
    pub fn into_domain(self) -> DebitEntry {
        DebitEntry {
            order: self.order,
            at: self.at,
            change: self.change,
            reason: self.reason,
        }
    }
}
