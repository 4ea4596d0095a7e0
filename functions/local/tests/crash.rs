//! Nothing lost, ever: the storno-local binary under a load of mixed commands from several
//! clients is killed with SIGKILL at random moments (some within a few milliseconds of an
//! answer) and stopped with SIGTERM, restarted on the same data file each time. Afterwards every
//! follow-up of every command that answered 2xx has been carried out (the effect log), every
//! refund and transfer was paid exactly once (the local payment provider's record, keyed like a
//! real provider), and what each order says was refunded or transferred is what was paid.
//!
//! `STORNO_CRASH_KILLS` (default 6) and `STORNO_CRASH_TERMS` (default 3) set the rounds;
//! `STORNO_CRASH_SETTLE_SECONDS` bounds the final wait. The figures are printed.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::process::{Server, data_file, free_port, request};
use support::workload::{self, Caller};
use tokio::sync::{Mutex, Notify};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Flags every start of the server gets: fast sweeps and short visibility so a restart picks
/// up what a crash interrupted within seconds (the defaults are a minute and thirty seconds).
const FAST: [&str; 6] = [
    "--sweep-every-seconds",
    "1",
    "--visibility-seconds",
    "2",
    "--payout-every-seconds",
    "3600",
];

struct Tokens {
    staff: String,
    system: String,
    partner: String,
}

fn tokens() -> Tokens {
    let dev = storno_local::DevTokens::default();
    Tokens {
        staff: dev.mint("staff", "staff-1", None),
        system: dev.mint("system", "checkout", None),
        partner: dev.mint("partner", "partner-1-user", Some("partner-1")),
    }
}

/// What the clients saw: the follow-ups of every command answered 2xx, by key, with the
/// refund or transfer amount where there is one; and every order registered.
#[derive(Default)]
struct Seen {
    followups: BTreeMap<String, Option<Decimal>>,
    orders: BTreeSet<String>,
    commands_ok: usize,
    commands_failed: usize,
}

impl Seen {
    fn record(&mut self, receipt: &Value) {
        self.commands_ok += 1;
        for followup in receipt["followups"].as_array().into_iter().flatten() {
            let key = followup["key"].as_str().unwrap_or_default().to_owned();
            let amount = followup["effect"]["amount"]["amount"]
                .as_str()
                .and_then(|a| a.parse().ok());
            self.followups.insert(key, amount);
        }
    }
}

struct Load {
    addr: Mutex<SocketAddr>,
    tokens: Tokens,
    seen: Mutex<Seen>,
    answered: Notify,
    next: AtomicUsize,
    stop: AtomicBool,
}

impl Load {
    /// Sends a command with its own idempotency key; after a connection error (the server was
    /// killed) it is sent again with the same key until it gets an answer.
    async fn command(&self, method: &str, path: &str, token: &str, body: Value) -> Option<Value> {
        let key = format!("crash-{}", self.next.fetch_add(1, Ordering::Relaxed));
        loop {
            let addr = *self.addr.lock().await;
            match request(addr, method, path, Some(token), Some(&key), Some(&body)).await {
                Ok((status, reply)) => {
                    self.answered.notify_waiters();
                    let mut seen = self.seen.lock().await;
                    if (200..300).contains(&status) {
                        seen.record(&reply);
                        return Some(reply);
                    }
                    // 503 while the store is busy starting: send again with the same key.
                    if status == 503 {
                        drop(seen);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                    seen.commands_failed += 1;
                    return None;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(30)).await,
            }
        }
    }

    async fn client(self: Arc<Self>, client: usize) {
        let mut round = 0usize;
        while !self.stop.load(Ordering::Relaxed) {
            round += 1;
            let id = format!("crash-{client}-{round}");
            let order = workload::new_order(&id, "crash-date");
            if self
                .command("POST", "/orders", &self.tokens.system, order)
                .await
                .is_none()
            {
                continue;
            }
            self.seen.lock().await.orders.insert(id.clone());
            for (caller, method, path, body) in workload::steps(&id, round) {
                let token = match caller {
                    Caller::Staff => &self.tokens.staff,
                    Caller::Partner => &self.tokens.partner,
                };
                self.command(method, &path, token, body).await;
            }
        }
    }
}

async fn create_date(addr: SocketAddr, system: &str) {
    let issuer = workload::issuer();
    let (status, _) = request(
        addr,
        "PUT",
        "/issuers/workload-issuer",
        Some(system),
        None,
        Some(&issuer),
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    let date = workload::new_date("crash-date");
    let (status, _) = request(addr, "POST", "/dates", Some(system), None, Some(&date))
        .await
        .unwrap();
    assert_eq!(status, 201);
}

/// Waits until the server reports an empty backlog, or (a server without that report) for
/// the settle time.
async fn settle(addr: SocketAddr, staff: &str) {
    let limit = Duration::from_secs(setting("STORNO_CRASH_SETTLE_SECONDS", 120));
    let started = Instant::now();
    while started.elapsed() < limit {
        match request(addr, "GET", "/ops/followups", Some(staff), None, None).await {
            Ok((200, report)) if report["settled"] == json!(true) => return,
            Ok((404, _)) => {}
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The embedded DynamoDB of a stopped server's data file, opened in-process.
async fn open_data(data: &Path) -> (aws_sdk_dynamodb::Client, tokio::sync::oneshot::Sender<()>) {
    let db = dynoxide::Database::new(&data.to_string_lossy()).expect("open the data file");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(dynoxide::server::serve_with_shutdown(
        listener,
        db,
        async move {
            let _ = stopped.await;
        },
    ));
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("eu-central-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "crash",
        ))
        .build();
    (aws_sdk_dynamodb::Client::from_conf(config), stop)
}

async fn effect_done(client: &aws_sdk_dynamodb::Client, key: &str) -> bool {
    client
        .get_item()
        .table_name("storno")
        .key("pk", AttributeValue::S(format!("EFFECT#{key}")))
        .key("sk", AttributeValue::S("EFFECT".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .is_some()
}

/// What the local payment provider paid, by idempotency key: (amount, calls received).
async fn payments(client: &aws_sdk_dynamodb::Client) -> BTreeMap<String, (Decimal, u64)> {
    let mut paid = BTreeMap::new();
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name("storno")
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", AttributeValue::S("LOCAL#PAYMENTS".into()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in page.items() {
            let text = |name: &str| match item.get(name) {
                Some(AttributeValue::S(s)) => s.clone(),
                Some(AttributeValue::N(n)) => n.clone(),
                _ => String::new(),
            };
            paid.insert(
                text("sk"),
                (
                    text("amount").parse().unwrap_or_default(),
                    text("calls").parse().unwrap_or(1),
                ),
            );
        }
        match page.last_evaluated_key {
            Some(key) => start = Some(key),
            None => return paid,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn follow_ups_of_answered_commands_survive_kill_and_sigterm_exactly_once() {
    crash_suite("crash", 0).await;
}

/// The same with the clock shifted (`--clock-offset-days`): command records are stamped with
/// the shifted clock, so the sweeper and the reconciliation must compare with that clock too
/// (they once compared with the real one, and follow-ups cut off by a crash were never sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn follow_ups_survive_crashes_with_the_clock_shifted() {
    crash_suite("crash-shifted", 45).await;
}

/// The server's flags: [`FAST`] and the clock shifted by `days`.
fn flags(days: i64) -> Vec<String> {
    let mut args: Vec<String> = FAST.iter().map(|a| (*a).to_owned()).collect();
    args.extend(["--clock-offset-days".to_owned(), days.to_string()]);
    args
}

async fn crash_suite(name: &str, offset_days: i64) {
    let data = data_file(name);
    let port = free_port();
    let tokens = tokens();
    let now_flags = flags(offset_days);
    let now_args: Vec<&str> = now_flags.iter().map(String::as_str).collect();
    let mut server = Server::start(&data, port, &now_args).await;
    create_date(server.addr, &tokens.system).await;
    let load = Arc::new(Load {
        addr: Mutex::new(server.addr),
        tokens,
        seen: Mutex::new(Seen::default()),
        answered: Notify::new(),
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    });
    let clients: Vec<_> = (0..4)
        .map(|c| tokio::spawn(Arc::clone(&load).client(c)))
        .collect();

    let kills = setting("STORNO_CRASH_KILLS", 6);
    let terms = setting("STORNO_CRASH_TERMS", 3);
    let mut graceful = 0;
    for round in 0..kills + terms {
        // A pseudo-random moment: sometimes right after an answer, sometimes mid-flight.
        let pause = 400 + (round * 373) % 900;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        if round % 2 == 0 {
            load.answered.notified().await;
            tokio::time::sleep(Duration::from_millis(round % 4)).await;
        }
        if round < kills {
            server.kill();
        } else if server.terminate(Duration::from_secs(30)) {
            graceful += 1;
        }
        server = Server::start(&data, port, &now_args).await;
    }
    load.stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }

    // Payouts: the course has run (clock moved on); transfers go through a kill too.
    server.kill();
    let later = flags(offset_days + 30);
    let args: Vec<&str> = later.iter().map(String::as_str).collect();
    server = Server::start(&data, port, &args).await;
    *load.addr.lock().await = server.addr;
    let system = load.tokens.system.clone();
    load.command("POST", "/payout-runs", &system, json!({}))
        .await;
    server.kill();
    server = Server::start(&data, port, &args).await;
    *load.addr.lock().await = server.addr;
    load.command("POST", "/payout-runs", &system, json!({}))
        .await;

    settle(server.addr, &load.tokens.staff).await;
    // What each order says it refunded and transferred.
    let mut stated: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    let orders = load.seen.lock().await.orders.clone();
    for id in &orders {
        let (status, order) = request(
            server.addr,
            "GET",
            &format!("/orders/{id}"),
            Some(&load.tokens.staff),
            None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "order {id}");
        let money = |v: &Value| {
            v["amount"]
                .as_str()
                .and_then(|a| a.parse().ok())
                .unwrap_or_default()
        };
        stated.insert(
            id.clone(),
            (
                money(&order["refunded"]),
                money(&order["payout"]["released"]["transferred"]),
            ),
        );
    }
    let clean_stop = server.terminate(Duration::from_secs(30));

    let (client, _stop) = open_data(&data).await;
    let seen = load.seen.lock().await;
    let mut lost = Vec::new();
    for key in seen.followups.keys() {
        if !effect_done(&client, key).await {
            lost.push(key.clone());
        }
    }
    let paid = payments(&client).await;
    let money_keys: Vec<(&String, &Option<Decimal>)> = seen
        .followups
        .iter()
        .filter(|(k, _)| k.starts_with("refund:") || k.starts_with("transfer:"))
        .collect();
    let unpaid: Vec<&String> = money_keys
        .iter()
        .filter(|(k, _)| !paid.contains_key(*k))
        .map(|(k, _)| *k)
        .collect();
    let wrong: Vec<&String> = money_keys
        .iter()
        .filter(|(k, amount)| paid.get(*k).is_some_and(|(p, _)| Some(*p) != **amount))
        .map(|(k, _)| *k)
        .collect();
    // Per order: the refunds and transfers paid add up to what the order states.
    let mut mismatched = Vec::new();
    for (order, (refunded, transferred)) in &stated {
        let sum = |kind: &str| -> Decimal {
            paid.iter()
                .filter(|(k, _)| k.starts_with(&format!("{kind}:{order}:")))
                .map(|(_, (amount, _))| *amount)
                .sum()
        };
        if sum("refund") != *refunded || sum("transfer") != *transferred {
            mismatched.push(format!(
                "{order}: refunded {refunded} paid {}, transferred {transferred} paid {}",
                sum("refund"),
                sum("transfer")
            ));
        }
    }
    let repeated_calls: u64 = paid.values().map(|(_, calls)| calls - 1).sum();
    eprintln!(
        "crash proof: {kills} kills, {terms} SIGTERMs ({graceful} clean exits); {} commands answered 2xx, {} refused; {} orders; {} follow-ups, {} lost; {} refunds/transfers, {} unpaid, {} wrong amount; {} provider calls repeated with a known key (deduplicated); {} orders whose stated money differs from what was paid",
        seen.commands_ok,
        seen.commands_failed,
        orders.len(),
        seen.followups.len(),
        lost.len(),
        money_keys.len(),
        unpaid.len(),
        wrong.len(),
        repeated_calls,
        mismatched.len()
    );
    assert!(seen.commands_ok > 20, "the load ran");
    let first = |list: &[String]| list.iter().take(10).cloned().collect::<Vec<_>>();
    assert!(
        lost.is_empty(),
        "never carried out, e.g. {:?}",
        first(&lost)
    );
    let unpaid: Vec<String> = unpaid.into_iter().cloned().collect();
    let wrong: Vec<String> = wrong.into_iter().cloned().collect();
    assert!(
        unpaid.is_empty() && wrong.is_empty(),
        "unpaid, e.g. {:?}; wrong amount, e.g. {:?}",
        first(&unpaid),
        first(&wrong)
    );
    assert!(mismatched.is_empty(), "e.g. {:#?}", first(&mismatched));
    assert_eq!(graceful, terms, "every SIGTERM ended in a clean exit");
    assert!(clean_stop, "a settled server stops cleanly on SIGTERM");
    let _ = std::fs::remove_dir_all(data.parent().unwrap());
}
