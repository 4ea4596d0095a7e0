//! Idempotency for requests whose work is not one transaction (payout runs, whole-date job
//! starts, dates): the caller's key is reserved first with a lease, the work runs, and its
//! response is stored under the key. The same key and request again answers the stored
//! response; another request under the key is refused (422); while the first is still at work
//! a duplicate answers 409. A reservation whose request failed is given up, and one whose
//! process died runs out with its lease, so the key can be used again.

use std::future::Future;

use chrono::{Duration, Utc};

use super::idempotency::IDEMPOTENCY_TTL_HOURS;
use super::{
    AppError, Clock, FollowUpPublisher, Idempotency, IdempotencyWrite, Runner, StoredResponse,
};

/// How long a reservation holds before another request may take the key over.
pub const RESERVATION_LEASE_SECONDS: i64 = 120;

/// A response as stored for replays: status and JSON body.
pub type Stored = (u16, String);

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// Runs `work` at most once per idempotency key (always, without a key).
    pub async fn once<F, Fut, E>(&self, key: Option<&Idempotency>, work: F) -> Result<Stored, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Stored, E>>,
        E: From<AppError>,
    {
        let Some(key) = key else {
            return work().await;
        };
        // Leases are wall-clock time, whatever the business clock says.
        let now = Utc::now();
        let key_hash = key.key_hash();
        let held = self
            .store()
            .reserve_idempotency(
                &key_hash,
                &key.payload_hash,
                now + Duration::seconds(RESERVATION_LEASE_SECONDS),
                (now + Duration::hours(IDEMPOTENCY_TTL_HOURS)).timestamp(),
            )
            .await
            .map_err(AppError::from)?;
        match held {
            None => {}
            Some(stored) if stored.payload_hash != key.payload_hash => {
                return Err(AppError::IdempotencyKeyReused.into());
            }
            Some(StoredResponse {
                response: Some(stored),
                ..
            }) => return Ok(stored),
            Some(reserved) => return Err(AppError::in_flight(reserved.lease_until).into()),
        }
        match work().await {
            Ok((status, body)) => {
                self.store()
                    .complete_idempotency(&IdempotencyWrite {
                        key_hash,
                        payload_hash: key.payload_hash.clone(),
                        status,
                        response: body.clone(),
                        expires_at: (now + Duration::hours(IDEMPOTENCY_TTL_HOURS)).timestamp(),
                    })
                    .await
                    .map_err(AppError::from)?;
                Ok((status, body))
            }
            Err(error) => {
                if let Err(release) = self
                    .store()
                    .release_idempotency(&key_hash, &key.payload_hash)
                    .await
                {
                    tracing::warn!(%release, "reservation not given up; it runs out with its lease");
                }
                Err(error)
            }
        }
    }
}
