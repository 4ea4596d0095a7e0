//! Lambda events the follow-up functions receive, turned into use-case input.
//!
//! The SQS event is read record by record (`SqsEvent`, not `SqsEventObj<Envelope>`): with the
//! typed form one body that is not an envelope fails the whole batch, and its nine good
//! neighbours would follow it into the dead-letter queue. Here a poison record is reported as
//! failed on its own, so the redrive policy moves exactly it. A follow-up that can never
//! succeed (a permanent error) is moved to the dead-letter queue at once and not reported, so
//! it is not tried again in vain.

use std::collections::HashMap;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};

use crate::app::{Delivery, HandleDelivery, Queue, handle_batch};

/// Handles an SQS batch; the response names exactly the records to deliver again
/// (`ReportBatchItemFailures`). `dead_letters` takes what can never succeed.
pub async fn handle_sqs_event(
    handler: &impl HandleDelivery,
    dead_letters: &impl Queue,
    event: SqsEvent,
) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    let mut deliveries = Vec::with_capacity(event.records.len());
    // Deliveries carry the receipt handle (what deletes a message); the response names ids.
    let mut ids: HashMap<String, String> = HashMap::new();
    for record in event.records {
        let id = record.message_id.unwrap_or_default();
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|count| count.parse().ok())
            .unwrap_or(1);
        match record.body.as_deref().map(serde_json::from_str).transpose() {
            Ok(Some(envelope)) => {
                let handle = record.receipt_handle.unwrap_or_else(|| id.clone());
                ids.insert(handle.clone(), id);
                deliveries.push(Delivery {
                    handle,
                    envelope,
                    receive_count,
                });
            }
            Ok(None) | Err(_) => {
                tracing::error!(message_id = %id, "not a follow-up envelope; left to the dead-letter queue");
                response.add_failure(id);
            }
        }
    }
    let outcome = handle_batch(handler, &deliveries).await;
    let mut again = outcome.retry;
    if !outcome.dead.is_empty()
        && let Err(error) = dead_letters.bury(&outcome.dead).await
    {
        tracing::warn!(%error, "not moved to the dead letters; delivered again instead");
        again.extend(outcome.dead.into_iter().map(|d| d.handle));
    }
    for handle in again {
        let id = ids.get(&handle).cloned().unwrap_or(handle);
        response.add_failure(id);
    }
    response
}
