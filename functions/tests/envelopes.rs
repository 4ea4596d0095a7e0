//! Queue messages outlive the build that wrote them: SQS keeps them for up to 14 days (plus
//! redrives), and during a deploy the old build's workers read the new build's messages. This
//! build reads the oldest envelope format ever written and a newer one with fields it does not
//! know, and carries out the same refund from each — through the Lambda glue, as a worker does.

use std::sync::Mutex;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use storno_core::Effect;
use storno_functions::app::{
    Delivery, ENVELOPE_VERSION, Envelope, FollowUpError, HandleDelivery, Work,
};
use storno_functions::events::handle_sqs_event;
use storno_functions::queue::MemoryQueue;

fn sample(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/envelopes/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Records the refunds it was asked to carry out.
#[derive(Default)]
struct Refunds(Mutex<Vec<String>>);

impl HandleDelivery for Refunds {
    async fn handle(&self, delivery: &Delivery) -> Result<(), FollowUpError> {
        match &delivery.envelope.work {
            Work::Effect {
                effect: Effect::Refund { amount, .. },
                ..
            } => {
                self.0.lock().unwrap().push(amount.to_string());
                Ok(())
            }
            other => Err(FollowUpError::permanent(
                "the test",
                format!("not a refund: {other:?}"),
            )),
        }
    }
}

#[test]
fn the_oldest_envelope_reads_as_version_1() {
    let envelope: Envelope = serde_json::from_str(&sample("v1-refund")).unwrap();
    assert_eq!(envelope.version, 1);
    assert_eq!(envelope.key, "refund:v1-order:2:2");
}

#[test]
fn an_envelope_of_a_newer_build_reads_with_its_unknown_fields_ignored() {
    let envelope: Envelope = serde_json::from_str(&sample("newer-refund")).unwrap();
    assert_eq!(envelope.version, 7);
    assert_eq!(envelope.attempt, 2);
    assert!(matches!(
        envelope.work,
        Work::Effect {
            effect: Effect::Refund { .. },
            ..
        }
    ));
}

#[test]
fn this_build_writes_its_version_and_reads_it_back() {
    let oldest: Envelope = serde_json::from_str(&sample("v1-refund")).unwrap();
    let written = Envelope {
        version: ENVELOPE_VERSION,
        ..oldest
    };
    let text = serde_json::to_string(&written).unwrap();
    assert!(text.contains(&format!("\"version\":{ENVELOPE_VERSION}")));
    assert_eq!(serde_json::from_str::<Envelope>(&text).unwrap(), written);
}

#[tokio::test]
async fn a_worker_carries_out_the_refund_of_the_oldest_and_of_a_newer_envelope() {
    let record = |id: &str, body: String| {
        let mut message = SqsMessage::default();
        message.message_id = Some(id.to_owned());
        message.body = Some(body);
        message
    };
    let mut event = SqsEvent::default();
    event.records = vec![
        record("old", sample("v1-refund")),
        record("new", sample("newer-refund")),
    ];
    let worker = Refunds::default();
    let response = handle_sqs_event(&worker, &MemoryQueue::new(5), event).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    assert_eq!(*worker.0.lock().unwrap(), ["59.50 EUR", "59.50 EUR"]);
}
