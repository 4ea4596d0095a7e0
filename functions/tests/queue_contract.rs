//! One contract, three queues: the in-process twin, SQS (moto's server, serial, started by the
//! test command; `STORNO_TEST_SQS_ENDPOINT`) and the queue kept in the table (storno-local's
//! durable queue, on dynoxide). Under CI a missing SQS endpoint fails.

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use storno_core::{Currency, DateAction, Effect, FollowUp, Message, Money, OrderId};
use storno_functions::app::{DateOrder, Envelope, PaymentGateway, Queue};
use storno_functions::queue::{MemoryQueue, SqsInstructions, SqsQueue};
use storno_functions::store::DynamoQueue;

const MAX_RECEIVES: u32 = 3;

fn envelopes(count: usize) -> Vec<Envelope> {
    (0..count)
        .map(|i| {
            Envelope::of(&FollowUp {
                key: format!("notify-staff:order-{i}:2:0"),
                order: OrderId::parse(format!("order-{i}")).unwrap(),
                effect: Effect::NotifyStaff {
                    message: Message::PartnerCannotRun,
                },
            })
        })
        .collect()
}

/// A fresh SQS queue on the test endpoint, or `None` outside CI when there is none.
async fn sqs() -> Option<SqsQueue> {
    let client = sqs_client()?;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "storno-contract-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    Some(
        SqsQueue::create(client, &name, MAX_RECEIVES)
            .await
            .expect("create the test queue"),
    )
}

/// A queue in a fresh table; the engine must outlive it.
async fn in_table() -> (DynamoQueue, support::Engine) {
    let engine = support::Engine::start().await;
    let client = engine.client(None);
    let table = engine.table(&client).await;
    let store = storno_functions::store::DynamoStore::new(client, table);
    (DynamoQueue::new(store, "contract", MAX_RECEIVES), engine)
}

/// An SQS client for the test endpoint (static test credentials), or `None` outside CI.
fn sqs_client() -> Option<aws_sdk_sqs::Client> {
    let Ok(endpoint) = std::env::var("STORNO_TEST_SQS_ENDPOINT") else {
        assert!(
            std::env::var("CI").is_err(),
            "STORNO_TEST_SQS_ENDPOINT is not set: under CI the SQS contract must run (see scripts/test)"
        );
        eprintln!("no SQS endpoint: SQS contract not run (./scripts/test starts one)");
        return None;
    };
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new("eu-central-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test",
            "test",
            None,
            None,
            "storno-test",
        ))
        .build();
    Some(aws_sdk_sqs::Client::from_conf(config))
}

/// Receives until the queue hands out nothing more (visibility long enough to see each once).
async fn drain(queue: &impl Queue) -> Vec<storno_functions::app::Delivery> {
    let mut all = Vec::new();
    loop {
        let batch = queue.receive(10, Duration::from_secs(30)).await.unwrap();
        if batch.is_empty() {
            return all;
        }
        all.extend(batch);
    }
}

async fn sent_envelopes_arrive_intact_in_batches_beyond_ten(queue: impl Queue) {
    let sent = envelopes(25);
    assert!(queue.send(&sent).await.unwrap().is_empty());
    let received = drain(&queue).await;
    let keys: BTreeSet<_> = received.iter().map(|d| d.envelope.key.clone()).collect();
    assert_eq!(keys, sent.iter().map(|e| e.key.clone()).collect());
    assert!(received.iter().all(|d| d.receive_count == 1));
    let original = &sent[3];
    let echoed = received
        .iter()
        .find(|d| d.envelope.key == original.key)
        .unwrap();
    assert_eq!(&echoed.envelope, original);
}

async fn a_message_not_deleted_comes_back_and_a_deleted_one_never(queue: impl Queue) {
    queue.send(&envelopes(2)).await.unwrap();
    let first = queue.receive(10, Duration::ZERO).await.unwrap();
    assert_eq!(first.len(), 2);
    queue.delete(&[first[0].handle.clone()]).await.unwrap();
    let again = queue.receive(10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].envelope.key, first[1].envelope.key);
    assert_eq!(again[0].receive_count, 2);
    assert!(
        queue.receive(10, Duration::ZERO).await.unwrap().is_empty(),
        "in flight: invisible"
    );
}

async fn a_message_received_too_often_ends_in_the_dead_letter_queue(queue: impl Queue) {
    queue.send(&envelopes(1)).await.unwrap();
    for round in 1..=MAX_RECEIVES {
        let got = queue.receive(10, Duration::ZERO).await.unwrap();
        assert_eq!(got.len(), 1, "receive {round}");
        assert_eq!(got[0].receive_count, round);
    }
    assert!(queue.receive(10, Duration::ZERO).await.unwrap().is_empty());
    let dead = queue.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].envelope, envelopes(1)[0]);
}

async fn a_buried_message_is_a_dead_letter_at_once_and_never_received_again(queue: impl Queue) {
    queue.send(&envelopes(2)).await.unwrap();
    let got = queue.receive(10, Duration::ZERO).await.unwrap();
    assert_eq!(got.len(), 2);
    let (buried, kept) = (&got[0], &got[1]);
    queue.bury(std::slice::from_ref(buried)).await.unwrap();
    // The caller acknowledges it like a handled one: harmless after the move.
    queue
        .delete(std::slice::from_ref(&buried.handle))
        .await
        .unwrap();
    let dead = queue.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].envelope, buried.envelope);
    let again = drain(&queue).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].envelope.key, kept.envelope.key);
}

/// Every kind of work the worker is sent travels intact.
async fn every_kind_of_work_arrives_intact(queue: impl Queue) {
    let mut sent = envelopes(1);
    sent.push(Envelope::date_order(DateOrder {
        job: "job-1".into(),
        date: storno_core::DateId::parse("conf").unwrap(),
        order: OrderId::parse("order-1").unwrap(),
        action: DateAction::RebookAll {
            target: storno_core::DateId::parse("conf-later").unwrap(),
        },
        staff: storno_core::StaffId::parse("staff-1").unwrap(),
    }));
    sent.push(Envelope::release_payouts("release-payouts:1".into()));
    assert!(queue.send(&sent).await.unwrap().is_empty());
    let got: BTreeSet<String> = drain(&queue)
        .await
        .iter()
        .map(|d| serde_json::to_string(&d.envelope).unwrap())
        .collect();
    let want: BTreeSet<String> = sent
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    assert_eq!(got, want);
}

/// Payment and message instructions leave on SQS with the effect key as idempotency key.
#[tokio::test]
async fn instructions_carry_the_effect_key_as_idempotency_key() {
    let Some(client) = sqs_client() else {
        return;
    };
    let url = client
        .create_queue()
        .queue_name(format!("storno-instructions-{}", std::process::id()))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let instructions = SqsInstructions::new(client.clone(), &url);
    let amount = Money::new(rust_decimal::Decimal::new(78300, 2), Currency::EUR).unwrap();
    instructions
        .refund(
            "refund:o-1:5:0",
            &storno_core::CustomerId::parse("customer-1").unwrap(),
            amount,
        )
        .await
        .unwrap();
    let received = client
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap();
    let message = &received.messages()[0];
    let body: serde_json::Value = serde_json::from_str(message.body().unwrap()).unwrap();
    assert_eq!(body["instruction"], "refund");
    assert_eq!(body["idempotency_key"], "refund:o-1:5:0");
    assert_eq!(body["amount"]["amount"], "783.00");
    let attribute = &message.message_attributes().unwrap()["idempotency_key"];
    assert_eq!(attribute.string_value(), Some("refund:o-1:5:0"));

    // A document goes to the mail system by reference: the forms' paths, not the bytes.
    use storno_functions::app::Notifier;
    let number = storno_core::DocumentNumber::printed_from_id("CDC25-001-2");
    let effect = storno_core::Effect::DeliverDocument {
        number: serde_json::from_value(serde_json::json!({
            "prefix": "CDC", "year": 2025, "seq": 1, "version": 2, "digits": 3,
            "text": number, "id": "CDC25-001-2"
        }))
        .unwrap(),
    };
    instructions
        .notify("deliver-document:o-1:1:1", &effect)
        .await
        .unwrap();
    let received = client
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value =
        serde_json::from_str(received.messages()[0].body().unwrap()).unwrap();
    assert_eq!(body["instruction"], "deliver_document");
    assert_eq!(body["number"], "CDC25/001/2");
    assert_eq!(body["links"]["pdf"], "/documents/CDC25-001-2?format=pdf");
    assert_eq!(body["links"]["cii"], "/documents/CDC25-001-2?format=cii");
}

macro_rules! contract {
    ($($test:ident),* $(,)?) => {
        mod twin {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(super::MemoryQueue::new(super::MAX_RECEIVES)).await;
                }
            )*
        }
        mod sqs {
            $(
                #[tokio::test]
                async fn $test() {
                    if let Some(queue) = super::sqs().await {
                        super::$test(queue).await;
                    }
                }
            )*
        }
        mod in_table {
            $(
                #[tokio::test]
                async fn $test() {
                    let (queue, _engine) = super::in_table().await;
                    super::$test(queue).await;
                }
            )*
        }
    };
}

contract!(
    sent_envelopes_arrive_intact_in_batches_beyond_ten,
    a_message_not_deleted_comes_back_and_a_deleted_one_never,
    a_message_received_too_often_ends_in_the_dead_letter_queue,
    every_kind_of_work_arrives_intact,
    a_buried_message_is_a_dead_letter_at_once_and_never_received_again,
);
