//! How records become item bodies: JSON (money as decimal strings, lossless), deflated.
//!
//! Why not one DynamoDB attribute per field: an order's state is written on every command, and
//! a transactional write costs 2 WRU per started KB. The reference order's state is 8.9 KB of
//! JSON; without its current invoice (stored apart, written only with a new version) and
//! deflated it is 0.8 KB, so a cancellation costs 9 WRU in all. Fields that keys, conditions
//! or indexes need stay plain attributes next to the body.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::Serialize;
use serde::de::DeserializeOwned;
use storno_core::{Document, EventDate, Issuer, Order};

use super::{StoreError, records};

/// Bytes of body per item: well under DynamoDB's 400 KB item limit, leaving room for keys
/// and plain attributes.
pub const CHUNK_BYTES: usize = 350 * 1024;

/// Bodies up to this size are deflated harder: small items are where a saved KB saves WRU;
/// large ones favour speed.
const THOROUGH_UP_TO: usize = 64 * 1024;

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    deflate(&serde_json::to_vec(value).map_err(StoreError::encoding)?)
}

/// JSON, deflated.
pub fn deflate(json: &[u8]) -> Result<Vec<u8>, StoreError> {
    let level = if json.len() <= THOROUGH_UP_TO {
        Compression::default()
    } else {
        Compression::fast()
    };
    let mut encoder = DeflateEncoder::new(Vec::with_capacity(json.len() / 4), level);
    encoder.write_all(json).map_err(StoreError::encoding)?;
    encoder.finish().map_err(StoreError::encoding)
}

/// The JSON of a deflated body.
pub fn inflate(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut json = Vec::with_capacity(bytes.len() * 4);
    DeflateDecoder::new(bytes)
        .read_to_end(&mut json)
        .map_err(StoreError::decoding)?;
    Ok(json)
}

/// The order's state record without its current invoice (stored apart), and that invoice.
pub fn split_order(order: &Order) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
    let (state, invoice) = records::order_to_json(order)?;
    Ok((deflate(&state)?, deflate(&invoice)?))
}

/// The inverse of [`split_order`].
pub fn join_order(state: &[u8], invoice: &[u8]) -> Result<Order, StoreError> {
    records::order_from_json(&inflate(state)?, &inflate(invoice)?)
}

pub fn encode_document(document: &Document) -> Result<Vec<u8>, StoreError> {
    deflate(&records::document_to_json(document)?)
}

pub fn decode_document(bytes: &[u8]) -> Result<Document, StoreError> {
    records::document_from_json(&inflate(bytes)?)
}

pub fn encode_issuer(issuer: &Issuer) -> Result<Vec<u8>, StoreError> {
    deflate(&records::issuer_to_json(issuer)?)
}

pub fn decode_issuer(bytes: &[u8]) -> Result<Issuer, StoreError> {
    records::issuer_from_json(&inflate(bytes)?)
}

pub fn encode_date(date: &EventDate) -> Result<Vec<u8>, StoreError> {
    deflate(&records::date_to_json(date)?)
}

pub fn decode_date(bytes: &[u8]) -> Result<EventDate, StoreError> {
    records::date_from_json(&inflate(bytes)?)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(&inflate(bytes)?).map_err(StoreError::decoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_round_trips_losslessly() {
        let value = serde_json::json!({"amount": "1071.00", "lines": vec!["a"; 100]});
        let bytes = encode(&value).unwrap();
        assert!(bytes.len() < 100);
        assert_eq!(decode::<serde_json::Value>(&bytes).unwrap(), value);
    }
}
