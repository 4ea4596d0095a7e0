//! The lines of a document: what is charged, for whom, at which rate and when.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{BookingId, OptionId, Text};
use crate::issuer::PriceEntry;
use crate::money::Money;
use crate::rate::VatRate;

/// Why a line is on the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A booked option.
    Item,
    /// The negation shown under a cancelled option (presentation "cancellation line").
    CancelledItem,
    /// A cancellation fee.
    Fee,
}

/// When the service of a line is rendered: the booked date's first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServicePeriod {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DocumentLine {
    pub kind: LineKind,
    pub booking: Option<BookingId>,
    pub option: Option<OptionId>,
    pub description: Text,
    pub quantity: i64,
    /// The net price of one unit (BT-146); never negative (a negative quantity reverses).
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub unit_price: Decimal,
    /// The line's net amount (BT-131).
    pub net: Money,
    pub vat_rate: VatRate,
    /// On documents priced gross: what the line charges, VAT included.
    pub gross: Option<Money>,
    pub service_period: Option<ServicePeriod>,
}

impl DocumentLine {
    /// A line priced net: `net` for `quantity` units.
    pub fn net_priced(
        kind: LineKind,
        description: Text,
        quantity: i64,
        net: Money,
        vat_rate: VatRate,
    ) -> Self {
        DocumentLine {
            kind,
            booking: None,
            option: None,
            description,
            quantity,
            unit_price: unit(net, quantity),
            net,
            vat_rate,
            gross: None,
            service_period: None,
        }
    }

    /// A line priced gross: `gross` for `quantity` units; its net is set when the document's
    /// VAT per rate is computed.
    pub fn gross_priced(
        kind: LineKind,
        description: Text,
        quantity: i64,
        gross: Money,
        vat_rate: VatRate,
    ) -> Self {
        DocumentLine {
            kind,
            booking: None,
            option: None,
            description,
            quantity,
            unit_price: Decimal::ZERO,
            net: Money::zero(gross.currency()),
            vat_rate,
            gross: Some(gross),
            service_period: None,
        }
    }

    /// What the line charges in the order's price entry (net, or gross VAT included).
    pub fn amount(&self, prices: PriceEntry) -> Money {
        match prices {
            PriceEntry::Net => self.net,
            PriceEntry::Gross => self.gross.unwrap_or(self.net),
        }
    }

    /// The same line with quantity and every amount negated (the unit price stays).
    pub fn negated(&self) -> Self {
        DocumentLine {
            quantity: -self.quantity,
            net: -self.net,
            gross: self.gross.map(|g| -g),
            ..self.clone()
        }
    }
}

/// The net unit price of a line: exact for whole units, else to four decimals.
pub(crate) fn unit(net: Money, quantity: i64) -> Decimal {
    if quantity == 0 {
        return Decimal::ZERO;
    }
    (net.amount() / Decimal::from(quantity))
        .abs()
        .round_dp(4)
        .normalize()
}
