//! Every key of the single table, built in one place.
//!
//! | item | pk | sk |
//! | --- | --- | --- |
//! | order state (head, then chunks; the current invoice) | `ORDER#{id}` | `A#STATE`, `A#STATE#{n}`, `A#STATE#INVOICE` |
//! | issued document | `ORDER#{id}` | `D#{number}` |
//! | command record (posting, follow-ups: the outbox) | `ORDER#{id}` | `C#{revision:012}` |
//! | idempotency record (TTL) | `IDEM#{sha256(caller, key)}` | `IDEM` |
//! | document number counter | `SEQ#{issuer}#{prefix}#{year or -}` | `SEQ` |
//! | processes taking turns at a series' numbers | `TURNS#SEQ#{issuer}#{prefix}#{year or -}` | `TURNS` |
//! | an issuer of the registry | `ISSUER#{id}` | `ISSUER` |
//! | a number prefix (in capitals) and the issuer it belongs to | `PREFIX#{PREFIX}` | `PREFIX` |
//! | partner balance | `PARTNER#{id}` | `BALANCE#{currency}` |
//! | a partner of the registry (billing data) | `PARTNER#{id}` | `PROFILE` |
//! | a payout's statement | `PARTNER#{id}` | `PAYOUT#{currency}#{released}#{order}` |
//! | a change of the partner's open debits | `PARTNER#{id}` | `DEBIT#{currency}#{at}#{order}#{revision}` |
//! | an order's payout not yet released (what it will pay) | `PARTNER#{id}` | `OPEN#{currency}#{order}` |
//! | customer credit (balance, granted, consumed, stream revision) | `CUSTOMER#{id}` | `CREDIT#{currency}` |
//! | an entry of the credit account | `CUSTOMER#{id}` | `CE#{currency}#{at}#{source}` |
//! | event date | `DATE#{id}` | `DATE` |
//! | an order booked onto the date (registration, rebooking) | `DATE#{id}` | `M#{order}` |
//! | whole-date job (progress counters) | `JOB#{id}` | `JOB` |
//! | one order's outcome in a job | `JOB#{id}` | `R#{order}` |
//! | carried-out follow-up effect | `EFFECT#{key}` | `EFFECT` |
//! | money a follow-up moved out (refund, transfer), on the order's ledger | `ORDER#{id}` | `X#{key}` |
//! | a message of a queue kept in the table (storno-local) | `QUEUE#{name}` | `M#{key}` |
//!
//! Three sparse GSIs: `gsi1` finds payouts by due date (only orders whose payout can ever be
//! released carry `gsi1pk`) and, overloaded, orders whose invoice is being changed and credit
//! grants by when they were made (`CREDIT#GRANTS`: the expiry's work), `gsi2` lists a partner's orders (My Sales) and, overloaded, finds
//! a document's order by its number (`DOC#{number}`), `gsi3` holds command
//! records whose follow-ups were not yet handed to the queue (`OUTBOX`: the outbox sweeper's
//! work) or not yet verified as carried out (`VERIFY`: the reconciliation's work), and,
//! overloaded, the messages of a queue kept in the table by when they become visible.

use storno_core::{Currency, CustomerId, DateId, IssuerId, OrderId, PartnerId, SeriesKey};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI_PAYOUTS: &str = "gsi1";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
pub const GSI_PARTNER_ORDERS: &str = "gsi2";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
pub const GSI_OUTBOX: &str = "gsi3";
pub const GSI3_PK: &str = "gsi3pk";
pub const GSI3_SK: &str = "gsi3sk";
/// The one partition of the pending-outbox index.
pub const OUTBOX_PENDING: &str = "OUTBOX";
/// Command records handed to the queue whose follow-ups were not yet all verified as done.
pub const OUTBOX_VERIFY: &str = "VERIFY";
/// Epoch seconds after which DynamoDB may delete the item (idempotency records).
pub const TTL_ATTRIBUTE: &str = "expires_at";

// State items carry short attribute names: names count towards an item's size, and the head
// item of a typical order must stay under 1 KB (2 WRU per transactional write).
/// The state's version (= the order's revision).
pub const VERSION: &str = "v";
/// How many items hold the state (head included).
pub const PARTS: &str = "n";
/// The number of the current invoice, stored in its own item.
pub const INVOICE: &str = "inv";

/// The one partition of the due-payout index.
pub const PAYOUTS_DUE: &str = "PAYOUT#DUE";
/// Orders whose invoice waits for its new version (never due: the same index, overloaded).
pub const INVOICES_EDITING: &str = "INVOICE#EDITING";

/// Sort keys of an order's state items all start with this, and nothing else does.
pub const STATE_PREFIX: &str = "A#STATE";

pub fn order_pk(id: &OrderId) -> String {
    format!("ORDER#{id}")
}

/// The state's head item (`part` 0) and its further chunks.
pub fn state_sk(part: usize) -> String {
    if part == 0 {
        STATE_PREFIX.to_owned()
    } else {
        format!("{STATE_PREFIX}#{part:03}")
    }
}

/// The order's current invoice version, kept beside the state and written only when a new
/// version is issued (most commands leave it alone, so they write less).
pub const STATE_INVOICE_SK: &str = "A#STATE#INVOICE";

/// Sort keys of an order's documents start with this.
pub const DOCUMENT_PREFIX: &str = "D#";

pub fn document_sk(number: &str) -> String {
    format!("{DOCUMENT_PREFIX}{number}")
}

/// A document's number as an overloaded `gsi2` key (find the order of a document number).
pub fn document_number_key(number: &str) -> String {
    format!("DOC#{number}")
}

pub const DOCUMENT_NUMBER_SK: &str = "DOC";

/// Sort keys of an order's command records start with this.
pub const COMMAND_PREFIX: &str = "C#";

pub fn command_sk(revision: u64) -> String {
    format!("{COMMAND_PREFIX}{revision:012}")
}

/// An idempotency record: scoped to the caller's key, whatever the route.
pub fn idempotency_pk(key_hash: &str) -> String {
    format!("IDEM#{key_hash}")
}

pub const IDEMPOTENCY_SK: &str = "IDEM";

/// The partition of a queue kept in the table.
pub fn queue_pk(name: &str) -> String {
    format!("QUEUE#{name}")
}

/// Sort keys of a queue's messages start with this; the rest is the envelope's key.
pub const QUEUE_MESSAGE_PREFIX: &str = "M#";

pub fn queue_message_sk(key: &str) -> String {
    format!("{QUEUE_MESSAGE_PREFIX}{key}")
}

/// The counter of one series: issuer, prefix and year (`-` for formats without a year).
pub fn series_pk(series: &SeriesKey) -> String {
    match series.year {
        Some(year) => format!("SEQ#{}#{}#{year}", series.issuer, series.prefix),
        None => format!("SEQ#{}#{}#-", series.issuer, series.prefix),
    }
}

/// The counter builds before the registry kept, per issuer and year over all the prefixes it
/// was sent with: a series new under [`series_pk`] continues after it, so no number printed
/// before can be issued again.
pub fn series_pk_v1(series: &SeriesKey) -> String {
    match series.year {
        Some(year) => format!("SEQ#{}#{year}", series.issuer),
        None => format!("SEQ#{}#-", series.issuer),
    }
}

/// An issuer of the registry.
pub fn issuer_pk(id: &IssuerId) -> String {
    format!("ISSUER#{id}")
}

pub const ISSUER_SK: &str = "ISSUER";

/// The queue of processes taking turns at one series' numbers (tickets issued, ticket served).
pub fn turns_pk(series: &SeriesKey) -> String {
    format!("TURNS#{}", series_pk(series))
}

pub const TURNS_SK: &str = "TURNS";

/// A document number prefix, reserved for one issuer for good. Reserved regardless of case:
/// `cdc` and `CDC` would print numbers that differ only in case, which people (and
/// case-insensitive file systems, for the documents' file names) take for the same.
pub fn prefix_pk(prefix: &str) -> String {
    format!("PREFIX#{}", prefix.to_ascii_uppercase())
}

pub const PREFIX_SK: &str = "PREFIX";

pub const SERIES_SK: &str = "SEQ";

pub fn partner_pk(id: &PartnerId) -> String {
    format!("PARTNER#{id}")
}

pub fn balance_sk(currency: Currency) -> String {
    format!("BALANCE#{currency}")
}

pub const PARTNER_SK: &str = "PROFILE";

pub fn statement_prefix(currency: Currency) -> String {
    format!("PAYOUT#{currency}#")
}

pub fn statement_sk(
    currency: Currency,
    released_at: chrono::DateTime<chrono::Utc>,
    order: &OrderId,
) -> String {
    format!(
        "{}{}#{order}",
        statement_prefix(currency),
        millis(released_at)
    )
}

pub fn debit_prefix(currency: Currency) -> String {
    format!("DEBIT#{currency}#")
}

pub fn debit_sk(
    currency: Currency,
    at: chrono::DateTime<chrono::Utc>,
    order: &OrderId,
    revision: u64,
) -> String {
    format!(
        "{}{}#{order}#{revision:012}",
        debit_prefix(currency),
        millis(at)
    )
}

pub fn open_prefix(currency: Currency) -> String {
    format!("OPEN#{currency}#")
}

pub fn open_sk(currency: Currency, order: &OrderId) -> String {
    format!("{}{order}", open_prefix(currency))
}

pub fn customer_pk(id: &CustomerId) -> String {
    format!("CUSTOMER#{id}")
}

pub fn credit_sk(currency: Currency) -> String {
    format!("CREDIT#{currency}")
}

/// Sort keys of a credit account's entries in `currency` start with this.
pub fn credit_entry_prefix(currency: Currency) -> String {
    format!("CE#{currency}#")
}

/// An entry of a credit account: by time, then by the decision that made it (`source`).
pub fn credit_entry_sk(
    currency: Currency,
    at: chrono::DateTime<chrono::Utc>,
    source: &str,
) -> String {
    format!("{}{}#{source}", credit_entry_prefix(currency), millis(at))
}

/// The partition of the grant index: every grant not yet expired or used up.
pub const CREDIT_GRANTS: &str = "CREDIT#GRANTS";

/// Sorts grants by when they were made: `2025-06-15T10:00:00.000Z#customer-1#EUR`.
pub fn credit_grant_sk(
    at: chrono::DateTime<chrono::Utc>,
    customer: &CustomerId,
    currency: Currency,
) -> String {
    format!("{}#{customer}#{currency}", millis(at))
}

/// Grants made before `at` sort before this key.
pub fn credit_granted_before(at: chrono::DateTime<chrono::Utc>) -> String {
    millis(at)
}

fn millis(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn date_pk(id: &DateId) -> String {
    format!("DATE#{id}")
}

pub const DATE_SK: &str = "DATE";

/// Sort keys of a date's member orders start with this.
pub const MEMBER_PREFIX: &str = "M#";

pub fn member_sk(order: &OrderId) -> String {
    format!("{MEMBER_PREFIX}{order}")
}

pub fn job_pk(id: &str) -> String {
    format!("JOB#{id}")
}

pub const JOB_SK: &str = "JOB";

/// Sort keys of a job's per-order outcomes start with this.
pub const OUTCOME_PREFIX: &str = "R#";

pub fn outcome_sk(order: &OrderId) -> String {
    format!("{OUTCOME_PREFIX}{order}")
}

/// A carried-out follow-up, by its deterministic effect key.
pub fn effect_pk(key: &str) -> String {
    format!("EFFECT#{key}")
}

pub const EFFECT_SK: &str = "EFFECT";

/// Sort keys of an order's executed money follow-ups (refunds, transfers) start with this.
pub const EXECUTION_PREFIX: &str = "X#";

pub fn execution_sk(key: &str) -> String {
    format!("{EXECUTION_PREFIX}{key}")
}

/// Epoch seconds, ten digits: sorts like time until the year 2286, and is short.
fn epoch(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{:010}", at.timestamp().max(0))
}

/// Sorts by due time, then order: `1741420800#order-1`.
pub fn payout_due_sk(due_at: chrono::DateTime<chrono::Utc>, order: &OrderId) -> String {
    format!("{}#{order}", epoch(due_at))
}

/// Everything due at or before `now` sorts at or before this key.
pub fn payout_due_until(now: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}#~", epoch(now))
}

/// Pending command records by the time they were written.
pub fn outbox_pending_sk(
    at: chrono::DateTime<chrono::Utc>,
    order: &OrderId,
    revision: u64,
) -> String {
    format!(
        "{}#{order}#{revision:012}",
        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    )
}

/// Everything written before `at` sorts before this key.
pub fn outbox_pending_before(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A partner's orders, newest registration last.
pub fn partner_orders_sk(registered_at: chrono::DateTime<chrono::Utc>, order: &OrderId) -> String {
    format!("{}#{order}", epoch(registered_at))
}
