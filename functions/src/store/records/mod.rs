//! Stored records: the shapes the table holds, versioned and separate from the domain types,
//! so the domain can change while every record written before stays readable.
//!
//! Each record carries its version (`rv`); a record without one is version 1 (written before
//! records had versions). Records never refuse unknown fields (a later build may add some).
//! Orders and documents of version 1 predate the issuer registry: they lack the seller and
//! recipient every legal invoice states, so they are refused with a clear error rather than
//! read with invented parties; event dates and command records of version 1 are read.
//! Small value types whose JSON form is their contract — ids, money, currencies, rates,
//! dates, document numbers and the domain's plain enums — are stored as they serialise.
//! `tests/fixtures/records/v{n}/` holds one stored sample per record type and version; a test
//! reads them all on every build.

mod booking;
mod command;
mod credit;
mod date;
mod document;
mod order;
mod order_parts;
mod parties;
mod partner;

use serde::Deserialize;
use storno_core::{Document, EventDate, Issuer, Order};

pub use command::CommandRecord;
pub use credit::CreditEntryRecord;
pub use document::DocumentRecord;
pub use order::OrderRecord;
pub use parties::IssuerRecord;
pub use partner::{DebitEntryRecord, PartnerRecord, StatementRecord};

use crate::app::StoreError;

/// The version of the records this build writes.
pub const RECORD_VERSION: u32 = 2;

#[derive(Deserialize)]
struct Probe {
    #[serde(default = "first")]
    rv: u32,
}

fn first() -> u32 {
    1
}

/// Orders and documents before the issuer registry.
fn refuse_v1(what: &str) -> StoreError {
    StoreError::decoding(format!(
        "this {what} was written by a Storno before the issuer registry (records version 1); it has no seller and recipient and this build does not read it"
    ))
}

fn version(json: &[u8]) -> Result<u32, StoreError> {
    let probe: Probe = serde_json::from_slice(json).map_err(StoreError::decoding)?;
    match probe.rv {
        1 | 2 => Ok(probe.rv),
        newer => Err(StoreError::decoding(format!(
            "a record of version {newer} was written by a newer Storno than this build (version {RECORD_VERSION})"
        ))),
    }
}

fn json<T: for<'de> Deserialize<'de>>(json: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(json).map_err(StoreError::decoding)
}

/// An order's state as stored, and its current invoice (stored apart: most commands leave
/// it alone).
pub fn order_to_json(order: &Order) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
    let state = serde_json::to_vec(&OrderRecord::from(order)).map_err(StoreError::encoding)?;
    Ok((state, document_to_json(&order.invoice.current)?))
}

pub fn order_from_json(state: &[u8], invoice: &[u8]) -> Result<Order, StoreError> {
    match version(state)? {
        1 => Err(refuse_v1("order")),
        _ => json::<OrderRecord>(state)?.into_order(document_from_json(invoice)?),
    }
}

pub fn document_to_json(document: &Document) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&DocumentRecord::from(document)).map_err(StoreError::encoding)
}

pub fn document_from_json(bytes: &[u8]) -> Result<Document, StoreError> {
    match version(bytes)? {
        1 => Err(refuse_v1("document")),
        _ => json::<DocumentRecord>(bytes)?.into_domain(),
    }
}

pub fn issuer_to_json(issuer: &Issuer) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&IssuerRecord::from(issuer)).map_err(StoreError::encoding)
}

pub fn issuer_from_json(bytes: &[u8]) -> Result<Issuer, StoreError> {
    version(bytes)?;
    json::<IssuerRecord>(bytes)?.into_domain()
}

pub fn date_to_json(date: &EventDate) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&date::DateRecord::from(date)).map_err(StoreError::encoding)
}

pub fn date_from_json(bytes: &[u8]) -> Result<EventDate, StoreError> {
    version(bytes)?;
    json::<date::DateRecord>(bytes)?.into_domain()
}

pub fn credit_entry_to_json(entry: &storno_core::CreditEntry) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&CreditEntryRecord::from(entry)).map_err(StoreError::encoding)
}

pub fn credit_entry_from_json(bytes: &[u8]) -> Result<storno_core::CreditEntry, StoreError> {
    version(bytes)?;
    Ok(json::<CreditEntryRecord>(bytes)?.into_domain())
}

pub fn partner_to_json(partner: &storno_core::Partner) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&PartnerRecord::from(partner)).map_err(StoreError::encoding)
}

pub fn partner_from_json(bytes: &[u8]) -> Result<storno_core::Partner, StoreError> {
    version(bytes)?;
    json::<PartnerRecord>(bytes)?.into_domain()
}

pub fn statement_to_json(statement: &storno_core::PayoutStatement) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&StatementRecord::from(statement)).map_err(StoreError::encoding)
}

pub fn statement_from_json(bytes: &[u8]) -> Result<storno_core::PayoutStatement, StoreError> {
    version(bytes)?;
    Ok(json::<StatementRecord>(bytes)?.into_domain())
}

pub fn debit_to_json(entry: &storno_core::DebitEntry) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&DebitEntryRecord::from(entry)).map_err(StoreError::encoding)
}

pub fn debit_from_json(bytes: &[u8]) -> Result<storno_core::DebitEntry, StoreError> {
    version(bytes)?;
    Ok(json::<DebitEntryRecord>(bytes)?.into_domain())
}

/// A domain refusal met while reading a record: the stored data is not what this build
/// accepts.
fn invalid(error: storno_core::DomainError) -> StoreError {
    StoreError::Decoding(Box::new(crate::app::WithContext {
        context: "a stored record is not valid any more".into(),
        source: Box::new(error),
    }))
}
