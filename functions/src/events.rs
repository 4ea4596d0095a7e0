//! Lambda events the follow-up functions receive, turned into use-case input.
//!
//! The SQS event is read record by record (`SqsEvent`, not `SqsEventObj<Envelope>`): with the
//! typed form one body that is not an envelope fails the whole batch, and its nine good
//! neighbours would follow it into the dead-letter queue. Here a poison record is reported as
//! failed on its own, so the redrive policy moves exactly it.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};

use crate::app::{Delivery, HandleDelivery, handle_batch};

/// Handles an SQS batch; the response names exactly the records that failed
/// (`ReportBatchItemFailures`).
pub async fn handle_sqs_event(handler: &impl HandleDelivery, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    let mut deliveries = Vec::with_capacity(event.records.len());
    for record in event.records {
        let id = record.message_id.unwrap_or_default();
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|count| count.parse().ok())
            .unwrap_or(1);
        match record.body.as_deref().map(serde_json::from_str).transpose() {
            Ok(Some(envelope)) => deliveries.push(Delivery {
                handle: id,
                envelope,
                receive_count,
            }),
            Ok(None) | Err(_) => {
                tracing::error!(message_id = %id, "not a follow-up envelope; left to the dead-letter queue");
                response.add_failure(id);
            }
        }
    }
    for failed in handle_batch(handler, &deliveries).await {
        response.add_failure(failed);
    }
    response
}
