//! Stored event dates and the cancellation terms they carry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storno_core::{
    CancellationTerms, Currency, DateId, EventDate, FeeTier, Money, PartnerId, Percentage, TimeZone,
};

use super::RECORD_VERSION;
use super::booking::berlin;
use super::invalid;
use crate::app::StoreError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TierRecord {
    up_to_days_before: u32,
    #[serde(default)]
    percent: Option<Percentage>,
    #[serde(default)]
    fixed: Option<Money>,
    #[serde(default)]
    cap: Option<Money>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TermsRecord {
    tiers: Vec<TierRecord>,
}

impl From<&CancellationTerms> for TermsRecord {
    fn from(terms: &CancellationTerms) -> Self {
        TermsRecord {
            tiers: terms
                .tiers()
                .iter()
                .map(|t| TierRecord {
                    up_to_days_before: t.up_to_days_before,
                    percent: t.percent,
                    fixed: t.fixed,
                    cap: t.cap,
                })
                .collect(),
        }
    }
}

impl TermsRecord {
    /// The terms of a date: in the currency of their own amounts.
    pub fn into_domain_in_own_currency(self) -> Result<CancellationTerms, StoreError> {
        let tiers = self.tiers();
        let currency = storno_core::terms::tiers_currency(&tiers);
        CancellationTerms::new(tiers, currency).map_err(invalid)
    }

    /// The terms frozen onto an order: in the order's currency.
    pub fn into_domain(self, currency: Currency) -> Result<CancellationTerms, StoreError> {
        CancellationTerms::new(self.tiers(), currency).map_err(invalid)
    }

    fn tiers(self) -> Vec<FeeTier> {
        self.tiers
            .into_iter()
            .map(|t| FeeTier {
                up_to_days_before: t.up_to_days_before,
                percent: t.percent,
                fixed: t.fixed,
                cap: t.cap,
            })
            .collect()
    }
}

/// An event date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DateRecord {
    #[serde(default = "version_one")]
    rv: u32,
    id: DateId,
    partner: PartnerId,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    #[serde(default = "berlin")]
    time_zone: String,
    active: bool,
    terms: TermsRecord,
}

fn version_one() -> u32 {
    1
}

impl From<&EventDate> for DateRecord {
    fn from(d: &EventDate) -> Self {
        DateRecord {
            rv: RECORD_VERSION,
            id: d.id.clone(),
            partner: d.partner.clone(),
            title: d.title.clone(),
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            time_zone: d.time_zone.name().to_owned(),
            active: d.active,
            terms: (&d.terms).into(),
        }
    }
}

impl DateRecord {
    pub fn into_domain(self) -> Result<EventDate, StoreError> {
        Ok(EventDate {
            id: self.id,
            partner: self.partner,
            title: self.title,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: TimeZone::parse(&self.time_zone).map_err(invalid)?,
            active: self.active,
            terms: self.terms.into_domain_in_own_currency()?,
        })
    }
}
