//! The queue port on SQS (aws-sdk-sqs): JSON envelopes, SendMessageBatch in tens, a redrive
//! policy to a dead-letter queue. A body that is not an envelope is never handed out: it is
//! received again until the redrive policy moves it to the dead-letter queue (poison).

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
    SendMessageBatchRequestEntry,
};

use crate::app::{Delivery, Envelope, Queue, QueueError};

/// SQS takes at most ten entries per batch call and ten messages per receive.
const BATCH: usize = 10;

#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    url: String,
    dead_letter_url: String,
}

fn service(error: impl std::error::Error) -> QueueError {
    QueueError::Service(DisplayErrorContext(error).to_string().into())
}

impl SqsQueue {
    /// A queue whose URLs come from configuration (the Lambda functions).
    pub fn new(client: Client, url: impl Into<String>, dead_letter_url: impl Into<String>) -> Self {
        SqsQueue {
            client,
            url: url.into(),
            dead_letter_url: dead_letter_url.into(),
        }
    }

    /// Creates `name` and `name-dlq` with a redrive policy after `max_receive_count` receives
    /// (tests and the local server; production queues come from the SAM template).
    pub async fn create(
        client: Client,
        name: &str,
        max_receive_count: u32,
    ) -> Result<Self, QueueError> {
        let dead_letter_url = client
            .create_queue()
            .queue_name(format!("{name}-dlq"))
            .send()
            .await
            .map_err(service)?
            .queue_url()
            .map(str::to_owned)
            .ok_or_else(|| QueueError::Service("no dead-letter queue URL".into()))?;
        let dead_letter_arn = client
            .get_queue_attributes()
            .queue_url(&dead_letter_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(service)?
            .attributes()
            .and_then(|attributes| attributes.get(&QueueAttributeName::QueueArn))
            .cloned()
            .ok_or_else(|| QueueError::Service("no dead-letter queue ARN".into()))?;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dead_letter_arn,
            "maxReceiveCount": max_receive_count.to_string(),
        });
        let url = client
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
            .send()
            .await
            .map_err(service)?
            .queue_url()
            .map(str::to_owned)
            .ok_or_else(|| QueueError::Service("no queue URL".into()))?;
        Ok(SqsQueue::new(client, url, dead_letter_url))
    }

    async fn receive_from(
        &self,
        url: &str,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        let mut deliveries = Vec::new();
        {
            let want = max.min(BATCH);
            let output = self
                .client
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(i32::try_from(want).unwrap_or(10))
                .wait_time_seconds(0)
                .visibility_timeout(i32::try_from(visibility.as_secs()).unwrap_or(i32::MAX))
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .send()
                .await
                .map_err(service)?;
            for message in output.messages() {
                let Some(envelope) = message
                    .body()
                    .and_then(|body| serde_json::from_str(body).ok())
                else {
                    continue; // poison: left for the redrive policy
                };
                let receive_count = message
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|count| count.parse().ok())
                    .unwrap_or(1);
                deliveries.push(Delivery {
                    handle: message.receipt_handle().unwrap_or_default().to_owned(),
                    envelope,
                    receive_count,
                });
            }
        }
        Ok(deliveries)
    }
}

impl SqsQueue {
    /// Sends envelopes to the queue at `url`; the keys of those it refused.
    async fn send_to(&self, url: &str, envelopes: &[Envelope]) -> Result<Vec<String>, QueueError> {
        let mut refused = Vec::new();
        for chunk in envelopes.chunks(BATCH) {
            // Entry ids only need to be unique per call: the index (effect keys contain ':').
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(index, envelope)| {
                    let body = serde_json::to_string(envelope)
                        .map_err(|e| QueueError::Encoding(Box::new(e)))?;
                    SendMessageBatchRequestEntry::builder()
                        .id(index.to_string())
                        .message_body(body)
                        .build()
                        .map_err(|e| QueueError::Encoding(Box::new(e)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let output = self
                .client
                .send_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(service)?;
            for failed in output.failed() {
                if let Some(envelope) = failed.id().parse::<usize>().ok().and_then(|i| chunk.get(i))
                {
                    refused.push(envelope.key.clone());
                }
            }
        }
        Ok(refused)
    }
}

impl Queue for SqsQueue {
    async fn send(&self, envelopes: &[Envelope]) -> Result<Vec<String>, QueueError> {
        self.send_to(&self.url, envelopes).await
    }

    async fn bury(&self, deliveries: &[Delivery]) -> Result<(), QueueError> {
        let envelopes: Vec<Envelope> = deliveries.iter().map(|d| d.envelope.clone()).collect();
        let refused = self.send_to(&self.dead_letter_url, &envelopes).await?;
        if !refused.is_empty() {
            return Err(QueueError::Service(
                format!("the dead-letter queue refused {}", refused.join(", ")).into(),
            ));
        }
        let handles: Vec<String> = deliveries.iter().map(|d| d.handle.clone()).collect();
        self.delete(&handles).await
    }

    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>, QueueError> {
        self.receive_from(&self.url, max, visibility).await
    }

    async fn delete(&self, handles: &[String]) -> Result<(), QueueError> {
        for chunk in handles.chunks(BATCH) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(index, handle)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(index.to_string())
                        .receipt_handle(handle)
                        .build()
                        .map_err(|e| QueueError::Encoding(Box::new(e)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.client
                .delete_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(service)?;
        }
        Ok(())
    }

    async fn dead_letters(&self, max: usize) -> Result<Vec<Delivery>, QueueError> {
        self.receive_from(&self.dead_letter_url, max, Duration::ZERO)
            .await
    }
}
