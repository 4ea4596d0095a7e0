//! The follow-up worker's Lambda glue on the SQS event fixture in `tests/events/`: a poison
//! body and a failing follow-up are reported by message id, and only they.

use std::sync::Mutex;

use aws_lambda_events::sqs::SqsEvent;
use storno_functions::app::{Delivery, HandleDelivery, Work};
use storno_functions::events::handle_sqs_event;

/// Fails every envelope whose key ends in `:fail`; remembers what it handled.
#[derive(Default)]
struct Handler(Mutex<Vec<String>>);

impl HandleDelivery for Handler {
    async fn handle(&self, delivery: &Delivery) -> Result<(), String> {
        self.0.lock().unwrap().push(delivery.envelope.key.clone());
        if delivery.envelope.key.ends_with(":fail") {
            return Err("refused".into());
        }
        Ok(())
    }
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../tests/events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn the_batch_response_names_exactly_the_poison_and_the_failed_records() {
    let event: SqsEvent = serde_json::from_str(&fixture("sqs-followups.json")).unwrap();
    let handler = Handler::default();
    let response = handle_sqs_event(&handler, event).await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["msg-1", "msg-2"]);
    // The good records were handled, the poison one never reached a use case.
    assert_eq!(handler.0.lock().unwrap().len(), 3);
}

#[test]
fn every_envelope_in_the_fixture_but_the_poison_one_parses() {
    let event: SqsEvent = serde_json::from_str(&fixture("sqs-followups.json")).unwrap();
    let parsed: Vec<Option<bool>> = event
        .records
        .iter()
        .map(|r| {
            serde_json::from_str::<storno_functions::app::Envelope>(r.body.as_deref().unwrap())
                .ok()
                .map(|e| matches!(e.work, Work::ReleasePayouts))
        })
        .collect();
    // Three envelopes (the last a payout-run continuation) and the poison body.
    assert_eq!(parsed, [Some(false), None, Some(false), Some(true)]);
}
