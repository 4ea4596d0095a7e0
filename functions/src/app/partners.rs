//! The partner registry and the partner's account: billing data (staff, the system) and what
//! the partner is owed, owes and was paid (that partner, staff).

use serde::Serialize;
use storno_core::{
    Actor, Currency, DebitEntry, DomainError, Money, NewPartner, OpenPayable, Partner, PartnerId,
    PayoutStatement,
};

use super::{AppError, Clock, FollowUpPublisher, Page, Runner};

/// A partner's account in one currency.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PartnerAccount {
    pub partner: PartnerId,
    pub currency: Currency,
    /// What the payouts not yet released will pay, in all.
    pub payable: Money,
    pub open_payouts: Vec<OpenPayable>,
    /// Debits (commission kept, clawbacks) not yet offset; negative: the platform owes the
    /// partner that much on top of the next payout.
    pub open_debit: Money,
    /// A page of the changes of the open debits, newest first: how they arose and how they
    /// were offset (`limit` of them; `debits_cursor` pages on).
    pub debit_entries: Vec<DebitEntry>,
    /// The next page of `debit_entries` (`?debits_cursor=`), if there is one.
    pub debits_next_cursor: Option<String>,
    /// A page of the payouts released, newest first, each with its statement.
    pub payouts: Vec<PayoutStatement>,
    /// The next page of `payouts` (`?cursor=`), if there is one.
    pub next_cursor: Option<String>,
}

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// Registers or replaces a partner's billing data (staff, the system).
    pub async fn put_partner(
        &self,
        id: PartnerId,
        new: NewPartner,
        actor: &Actor,
    ) -> Result<Partner, AppError> {
        let partner = Partner::new(id, new, actor)?;
        self.store().put_partner(&partner).await?;
        Ok(partner)
    }

    /// A partner of the registry (that partner, staff).
    pub async fn read_partner(&self, id: &PartnerId, actor: &Actor) -> Result<Partner, AppError> {
        Partner::require_reader(id, actor)?;
        self.store()
            .load_partner(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("partner").into())
    }

    /// The partner's account: payable, open debits and their changes, and a page of payouts
    /// with their statements (that partner, staff).
    pub async fn partner_account(
        &self,
        id: &PartnerId,
        currency: Currency,
        actor: &Actor,
        limit: usize,
        (cursor, debits_cursor): (Option<String>, Option<String>),
    ) -> Result<PartnerAccount, AppError> {
        Partner::require_reader(id, actor)?;
        let store = self.store();
        let open_payouts = store.open_payables(id, currency).await?;
        let payable = Money::sum(currency, open_payouts.iter().map(|p| &p.amount));
        let Page { items, next } = store.payout_statements(id, currency, limit, cursor).await?;
        let debits = store
            .debit_entries(id, currency, limit, debits_cursor)
            .await?;
        Ok(PartnerAccount {
            partner: id.clone(),
            currency,
            payable,
            open_payouts,
            open_debit: store.partner_debit(id, currency).await?,
            debit_entries: debits.items,
            debits_next_cursor: debits.next,
            payouts: items,
            next_cursor: next,
        })
    }
}
