//! The follow-up worker's Lambda glue on the SQS event fixture in `tests/events/`: a poison
//! body and a failing follow-up are reported by message id, and only they; a follow-up that
//! can never succeed goes to the dead letters at once and is not reported.

use std::sync::Mutex;
use std::time::Duration;

use aws_lambda_events::sqs::SqsEvent;
use storno_functions::app::{
    Delivery, Envelope, FollowUpError, HandleDelivery, Queue, QueueError, Work,
};
use storno_functions::events::handle_sqs_event;

/// Fails every envelope whose key ends in `:fail` (for now) or `:never` (for good); remembers
/// what it handled.
#[derive(Default)]
struct Handler(Mutex<Vec<String>>);

impl HandleDelivery for Handler {
    async fn handle(&self, delivery: &Delivery) -> Result<(), FollowUpError> {
        let key = &delivery.envelope.key;
        self.0.lock().unwrap().push(key.clone());
        if key.ends_with(":fail") {
            return Err(FollowUpError::retryable("the test", "refused for now"));
        }
        if key.ends_with(":never") {
            return Err(FollowUpError::permanent("the test", "refused for good"));
        }
        Ok(())
    }
}

/// A dead-letter queue that keeps what it is given (or refuses it).
#[derive(Default)]
struct DeadLetters {
    buried: Mutex<Vec<String>>,
    refuse: bool,
}

impl Queue for DeadLetters {
    async fn send(&self, _: &[Envelope]) -> Result<Vec<String>, QueueError> {
        Ok(Vec::new())
    }
    async fn receive(&self, _: usize, _: Duration) -> Result<Vec<Delivery>, QueueError> {
        Ok(Vec::new())
    }
    async fn delete(&self, _: &[String]) -> Result<(), QueueError> {
        Ok(())
    }
    async fn bury(&self, deliveries: &[Delivery]) -> Result<(), QueueError> {
        if self.refuse {
            return Err(QueueError::Service("the dead-letter queue is down".into()));
        }
        let keys = deliveries.iter().map(|d| d.envelope.key.clone());
        self.buried.lock().unwrap().extend(keys);
        Ok(())
    }
    async fn dead_letters(&self, _: usize) -> Result<Vec<Delivery>, QueueError> {
        Ok(Vec::new())
    }
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../tests/events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn failed(response: &aws_lambda_events::sqs::SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

#[tokio::test]
async fn the_batch_response_names_exactly_the_poison_and_the_failed_records() {
    let event: SqsEvent = serde_json::from_str(&fixture("sqs-followups.json")).unwrap();
    let handler = Handler::default();
    let response = handle_sqs_event(&handler, &DeadLetters::default(), event).await;
    assert_eq!(failed(&response), ["msg-1", "msg-2"]);
    // The good records were handled, the poison one never reached a use case.
    assert_eq!(handler.0.lock().unwrap().len(), 3);
}

/// The fixture with its failing record refused for good instead.
fn with_a_permanent_failure() -> SqsEvent {
    let text = fixture("sqs-followups.json").replace(":0:fail", ":0:never");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn a_record_refused_for_good_goes_to_the_dead_letters_and_is_not_reported() {
    let dead = DeadLetters::default();
    let response = handle_sqs_event(&Handler::default(), &dead, with_a_permanent_failure()).await;
    assert_eq!(failed(&response), ["msg-1"], "only the poison body");
    assert_eq!(
        *dead.buried.lock().unwrap(),
        ["notify-staff:order-1:3:0:never"]
    );
}

#[tokio::test]
async fn when_the_dead_letters_refuse_it_is_delivered_again() {
    let dead = DeadLetters {
        refuse: true,
        ..DeadLetters::default()
    };
    let response = handle_sqs_event(&Handler::default(), &dead, with_a_permanent_failure()).await;
    assert_eq!(failed(&response), ["msg-1", "msg-2"]);
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
