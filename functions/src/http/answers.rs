//! Typed answers of the routes that list or report (everything else answers a view or a
//! receipt): the OpenAPI components derive from them, so the contract cannot drift from what a
//! route writes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use storno_core::dates::Attendee;
use storno_core::{CustomerId, DateId, Document, Money, OrderId, PayoutStatement};

use super::views::OrderSummary;

/// Every document of an order the reader may see.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderDocuments<'a> {
    pub order: &'a OrderId,
    pub documents: Vec<Document>,
}

/// A page of My Sales lines and where the next page starts.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    pub next_cursor: Option<String>,
}

/// The attendee list of a date.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AttendeeList<'a> {
    pub date: &'a DateId,
    pub attendees: Vec<Attendee>,
}

/// A due payout the run refused, with the refusal's code.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefusedPayout {
    pub order: OrderId,
    pub code: String,
}

/// Credit that expired in a run.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExpiredCredit {
    pub customer: CustomerId,
    pub amount: Money,
}

/// What a payout run did: payouts released and refused, credit expired.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PayoutRunDone {
    pub as_of: DateTime<Utc>,
    pub released: Vec<OrderId>,
    pub refused: Vec<RefusedPayout>,
    /// More payouts are due than one run releases (a continuation is queued).
    pub more: bool,
    pub credit_expired: Vec<ExpiredCredit>,
}

/// What a payout run would do now (`dry_run: true`), nothing written.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PayoutRunPreview {
    pub as_of: DateTime<Utc>,
    pub dry_run: bool,
    /// The statement of each payout it would release (without the commission invoice's
    /// number, given when the run issues it).
    pub would_release: Vec<PayoutStatement>,
    pub would_refuse: Vec<RefusedPayout>,
    pub more: bool,
}

pub fn refused(list: Vec<(OrderId, String)>) -> Vec<RefusedPayout> {
    list.into_iter()
        .map(|(order, code)| RefusedPayout { order, code })
        .collect()
}

pub fn expired(list: Vec<(CustomerId, Money)>) -> Vec<ExpiredCredit> {
    list.into_iter()
        .map(|(customer, amount)| ExpiredCredit { customer, amount })
        .collect()
}
