//! Request bodies. Unknown fields are refused; money and ids are validated as they are read.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use storno_core::{
    BookingId, CancellationTerms, DateId, FeeChoice, PartnerId, RequestId, Resolution,
};

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RebookFlag {
    pub on: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "NewRebookingRequest"))]
#[serde(deny_unknown_fields)]
pub struct RebookingRequest {
    pub reason: String,
    /// The attendees to rebook; none: every attendee whose course has not taken place.
    #[serde(default)]
    pub bookings: Vec<BookingId>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestDecision {
    pub approve: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rebooking {
    pub date: DateId,
    #[serde(default)]
    pub request: Option<RequestId>,
    /// The attendees to move (without a request); none: every attendee whose course has not
    /// taken place.
    #[serde(default)]
    pub bookings: Vec<BookingId>,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerCancellationResolution {
    pub resolution: Resolution,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "AlternativeDatesProposal"))]
#[serde(deny_unknown_fields)]
pub struct AlternativeDates {
    pub dates: Vec<DateId>,
}

/// The customer's answer: a proposed date, or `null` to decline them all.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AlternativeChoice {
    pub date: Option<DateId>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Cancellation {
    pub fee: FeeChoice,
    #[serde(default)]
    pub dry_run: bool,
}

/// The partner's report that a course cannot run: the attendees concerned (none: every
/// attendee whose course has not taken place).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CannotRun {
    #[serde(default)]
    pub bookings: Vec<BookingId>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DryRunOnly {
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDate {
    pub id: DateId,
    /// Required for staff and the system; a partner creates only its own dates.
    #[serde(default)]
    pub partner: Option<PartnerId>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Where the date takes place (IANA); Europe/Berlin when not given.
    #[serde(default)]
    pub time_zone: Option<String>,
    pub terms: CancellationTerms,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DateUpdate {
    pub active: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RebookAll {
    pub target: DateId,
    #[serde(default)]
    pub dry_run: bool,
}

/// A reconciliation run: check commands older than `older_than_seconds` (default 15 minutes)
/// and, with `resend`, send their missing follow-ups again.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReconciliationRun {
    /// At most ten years.
    #[serde(default = "fifteen_minutes")]
    #[cfg_attr(feature = "schema", schemars(range(max = MAX_GRACE_SECONDS)))]
    pub older_than_seconds: u64,
    #[serde(default)]
    pub resend: bool,
}

/// The longest grace period a reconciliation accepts (ten years).
pub const MAX_GRACE_SECONDS: u64 = 10 * 366 * 24 * 3600;

fn fifteen_minutes() -> u64 {
    900
}

impl ReconciliationRun {
    /// The grace period asked for, within the bound the body states.
    pub fn grace(&self) -> Result<std::time::Duration, super::problem::Problem> {
        if self.older_than_seconds > MAX_GRACE_SECONDS {
            return Err(super::refusal::Refusal::InvalidBody(format!(
                "older_than_seconds is at most {MAX_GRACE_SECONDS} (ten years)"
            ))
            .into());
        }
        Ok(std::time::Duration::from_secs(self.older_than_seconds))
    }
}

/// Staff pay out a customer's credit: all of it in `currency`, or `amount`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditPayout {
    pub currency: storno_core::Currency,
    #[serde(default)]
    pub amount: Option<storno_core::Money>,
}
