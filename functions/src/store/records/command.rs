//! The command record: what one revision of an order (or a credit account stream) did to
//! money and what must follow it. One shape for the writer (the commit), the readers (the
//! outbox and the ledger) and the stored samples' test. Every field may be absent in a record
//! written by another build; none refuses unknown fields.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use storno_core::{Decision, FollowUp, IssuerId, Posting};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandRecord<'a> {
    /// The balanced ledger posting of the revision.
    #[serde(default)]
    pub posting: Cow<'a, Option<Posting>>,
    /// The follow-ups it left (the outbox).
    #[serde(default)]
    pub followups: Cow<'a, [FollowUp]>,
    /// The document numbers it took.
    #[serde(default)]
    pub numbers: Option<NumbersTaken>,
}

/// The numbers a revision took from a series (an audit trail; nothing decides on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumbersTaken {
    pub series: SeriesTaken,
    pub first: u32,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesTaken {
    pub issuer: IssuerId,
    /// Absent in version 1 records (written before issuers had prefixes of their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub year: Option<i32>,
}

impl<'a> CommandRecord<'a> {
    /// The record a decision writes, borrowing from it.
    pub fn of(decision: &'a Decision) -> Self {
        CommandRecord {
            posting: Cow::Borrowed(&decision.posting),
            followups: Cow::Borrowed(&decision.followups),
            numbers: decision.numbers.as_ref().map(|taken| NumbersTaken {
                series: SeriesTaken {
                    issuer: taken.series.issuer.clone(),
                    prefix: Some(taken.series.prefix.clone()),
                    year: taken.series.year,
                },
                first: taken.first,
                count: taken.count,
            }),
        }
    }
}
