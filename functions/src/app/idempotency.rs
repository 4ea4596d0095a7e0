//! Idempotency keys as callers send them, and the tokens that make a re-sent write harmless.

use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use storno_core::Decision;

/// How long idempotency records are kept.
pub const IDEMPOTENCY_TTL_HOURS: i64 = 24;

/// An `Idempotency-Key` as the caller sent it, with a hash of the request it came with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// Scopes the key: the same key from two callers are two keys.
    pub caller: String,
    pub key: String,
    /// Hash of the request body (see [`hash_hex`]).
    pub payload_hash: String,
}

impl Idempotency {
    pub fn new(caller: impl Into<String>, key: impl Into<String>, payload: &[u8]) -> Self {
        Idempotency {
            caller: caller.into(),
            key: key.into(),
            payload_hash: hash_hex(&[payload]),
        }
    }

    pub(super) fn key_hash(&self) -> String {
        hash_hex(&[self.caller.as_bytes(), b"\0", self.key.as_bytes()])
    }
}

/// Hex SHA-256 of the parts, in order.
pub fn hash_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `ClientRequestToken` (32 hex characters; DynamoDB takes at most 36): derived from the
/// order, the revision the decision writes and the idempotency key, made unique per attempt.
pub(super) fn token(
    decision: &Decision,
    idempotency: Option<&Idempotency>,
    execution: u64,
) -> String {
    let order = decision.order.id.as_str().as_bytes();
    let revision = decision.order.revision.to_be_bytes();
    let key = idempotency.map(Idempotency::key_hash).unwrap_or_default();
    let nanos = chrono::Utc::now()
        .timestamp_nanos_opt()
        .unwrap_or_default()
        .to_be_bytes();
    let attempt = ATTEMPTS.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    let mut hex = hash_hex(&[
        order,
        &revision,
        key.as_bytes(),
        &execution.to_be_bytes(),
        &attempt,
        &nanos,
        &std::process::id().to_be_bytes(),
    ]);
    hex.truncate(32);
    hex
}

/// Counts commit attempts in this process, for unique tokens.
static ATTEMPTS: AtomicU64 = AtomicU64::new(0);
