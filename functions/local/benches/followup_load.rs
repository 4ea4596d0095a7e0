//! Does the follow-up worker keep up under load? Clients run mixed commands (registrations,
//! option and attendee cancellations, invoice updates, whole-invoice cancellations, the
//! partner-cancellation ladder) as fast as the server answers; every second the follow-up
//! backlog is read from `/ops/followups`. Prints a line per second and a summary: commands/s,
//! follow-ups produced per second, the largest backlog, the backlog when the load stops and how
//! long it takes to drain after.
//!
//! `STORNO_LOAD_TARGET=http://127.0.0.1:3000` measures a server that is already running (e.g.
//! `cargo run --release -p storno-local -- --memory`); without it the bench starts the
//! storno-local binary of its own build. `STORNO_LOAD_SECONDS` (default 60 with `--bench`, 3
//! under `cargo test`) and `STORNO_LOAD_CLIENTS` (default 16). Nothing is asserted.

#[path = "../tests/support/process.rs"]
mod process;
#[path = "../tests/support/workload.rs"]
mod workload;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use process::{Server, data_file, free_port, request};
use serde_json::{Value, json};
use workload::Caller;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Load {
    addr: SocketAddr,
    staff: String,
    system: String,
    partner: String,
    commands: AtomicUsize,
    followups: AtomicUsize,
    stop: AtomicBool,
}

impl Load {
    async fn send(&self, method: &str, path: &str, token: &str, body: Value) -> bool {
        match request(self.addr, method, path, Some(token), None, Some(&body)).await {
            Ok((status, reply)) if (200..300).contains(&status) => {
                self.commands.fetch_add(1, Ordering::Relaxed);
                let produced = reply["followups"].as_array().map_or(0, Vec::len);
                self.followups.fetch_add(produced, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    async fn client(self: Arc<Self>, client: usize) {
        let mut round = 0;
        while !self.stop.load(Ordering::Relaxed) {
            round += 1;
            let id = format!("load-{client}-{round}");
            let order = workload::new_order(&id, "load-date");
            if !self.send("POST", "/orders", &self.system, order).await {
                continue;
            }
            for (caller, method, path, body) in workload::steps(&id, round) {
                let token = match caller {
                    Caller::Staff => &self.staff,
                    Caller::Partner => &self.partner,
                };
                self.send(method, &path, token, body).await;
            }
        }
    }
}

/// The backlog (waiting + in flight + not handed on), and whether all is settled.
async fn backlog(addr: SocketAddr, staff: &str) -> Option<(u64, bool)> {
    let (status, report) = request(addr, "GET", "/ops/followups", Some(staff), None, None)
        .await
        .ok()?;
    (status == 200).then(|| {
        let count = |v: &Value| v.as_u64().unwrap_or(0);
        (
            count(&report["queue"]["waiting"])
                + count(&report["queue"]["in_flight"])
                + count(&report["not_handed_on"]),
            report["settled"] == json!(true),
        )
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let seconds = setting("STORNO_LOAD_SECONDS", if full { 60 } else { 3 });
    let clients = setting("STORNO_LOAD_CLIENTS", 16) as usize;
    let data = data_file("load");
    let (addr, server) = match std::env::var("STORNO_LOAD_TARGET") {
        Ok(target) => {
            let addr = target
                .trim_start_matches("http://")
                .parse()
                .expect("host:port");
            (addr, None)
        }
        Err(_) => {
            let server = Server::start(&data, free_port(), &[]).await;
            (server.addr, Some(server))
        }
    };
    let dev = storno_local::DevTokens::default();
    let load = Arc::new(Load {
        addr,
        staff: dev.mint("staff", "staff-1", None),
        system: dev.mint("system", "checkout", None),
        partner: dev.mint("partner", "partner-1-user", Some("partner-1")),
        commands: AtomicUsize::new(0),
        followups: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    });
    request(
        addr,
        "PUT",
        "/issuers/workload-issuer",
        Some(&load.system),
        None,
        Some(&workload::issuer()),
    )
    .await
    .expect("the server answers");
    let date = workload::new_date("load-date");
    request(
        addr,
        "POST",
        "/dates",
        Some(&load.system),
        None,
        Some(&date),
    )
    .await
    .expect("the server answers");

    println!("{clients} clients for {seconds} s against {addr}");
    let tasks: Vec<_> = (0..clients)
        .map(|c| tokio::spawn(Arc::clone(&load).client(c)))
        .collect();
    let started = Instant::now();
    let mut largest = 0;
    let mut last = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (waiting, _) = backlog(addr, &load.staff).await.unwrap_or((0, false));
        largest = largest.max(waiting);
        last = waiting;
        println!(
            "  t={:>3}s commands={:>6} follow-ups produced={:>6} backlog={waiting:>5}",
            started.elapsed().as_secs(),
            load.commands.load(Ordering::Relaxed),
            load.followups.load(Ordering::Relaxed),
        );
    }
    load.stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    let loaded = started.elapsed().as_secs_f64();
    let stopped = Instant::now();
    while stopped.elapsed() < Duration::from_secs(300) {
        if let Some((_, true)) = backlog(addr, &load.staff).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let commands = load.commands.load(Ordering::Relaxed);
    let followups = load.followups.load(Ordering::Relaxed);
    println!(
        "summary: {:.0} commands/s, {:.0} follow-ups/s produced; largest backlog {largest}, {last} when the load stopped, settled {:.1} s after",
        commands as f64 / loaded,
        followups as f64 / loaded,
        stopped.elapsed().as_secs_f64()
    );
    if let Some(server) = server {
        server.terminate(Duration::from_secs(30));
    }
    let _ = std::fs::remove_dir_all(data.parent().unwrap());
}
