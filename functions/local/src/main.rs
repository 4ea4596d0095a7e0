//! `cargo run --release -p storno-local`: the whole API on 127.0.0.1:3000 with no AWS.
//! `storno-local --help` lists every flag and its environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use storno_functions::app::Policy;
use storno_local::{Config, EdgeLimits, Local, seed};

/// Storno's whole API on one loopback port, with no AWS: DynamoDB is dynoxide embedded (data
/// in a SQLite file), follow-ups run through a queue kept in the same file, payments and
/// messages go to a local recording provider.
#[derive(Debug, Parser)]
#[command(name = "storno-local", version, about)]
struct Args {
    /// Where to serve the API (keep it on loopback: dev tokens are accepted).
    #[arg(long, env = "STORNO_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// The data file (created on first start, kept across restarts).
    #[arg(
        long,
        env = "STORNO_DATA",
        default_value = "storno-local.db",
        conflicts_with = "memory"
    )]
    data: PathBuf,
    /// Keep everything in memory (nothing survives the process).
    #[arg(long)]
    memory: bool,
    /// Run as of N days later (e.g. to see payouts fall due).
    #[arg(long, env = "STORNO_CLOCK_OFFSET_DAYS", default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..=3650))]
    clock_offset_days: i64,
    /// Seconds between payout runs.
    #[arg(long, env = "STORNO_PAYOUT_EVERY_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    payout_every_seconds: u64,
    /// Seconds between outbox sweeps (commands whose follow-ups did not reach the queue).
    #[arg(long, env = "STORNO_SWEEP_EVERY_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    sweep_every_seconds: u64,
    /// Seconds a received follow-up stays hidden from other workers.
    #[arg(long, env = "STORNO_VISIBILITY_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=43200))]
    visibility_seconds: u64,
    /// Follow-up workers running at once.
    #[arg(long, env = "STORNO_WORKERS", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    workers: u64,
    /// Seconds between reconciliations (committed follow-ups checked against the effect log).
    #[arg(long, env = "STORNO_RECONCILE_EVERY_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    reconcile_every_seconds: u64,
    /// How old a command must be before missing follow-ups are reported.
    #[arg(long, env = "STORNO_RECONCILE_AFTER_SECONDS", default_value_t = 300)]
    reconcile_after_seconds: u64,
    /// Connections served at once; the next is refused with 503.
    #[arg(long, env = "STORNO_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_connections: u64,
    /// Connections one client address may hold at once (default: a quarter of
    /// --max-connections), so one client cannot lock the others out.
    #[arg(long, env = "STORNO_MAX_CONNECTIONS_PER_CLIENT", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_connections_per_client: Option<u64>,
    /// Seconds a connection may stay silent or take to send a request's head.
    #[arg(long, env = "STORNO_HEADER_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout_seconds: u64,
    /// Seconds reading a request body may take.
    #[arg(long, env = "STORNO_BODY_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout_seconds: u64,
    /// Also serve the embedded DynamoDB here (e.g. 127.0.0.1:8000 for `cargo lambda watch`).
    #[arg(long, env = "STORNO_DYNAMODB_ADDR")]
    dynamodb_addr: Option<SocketAddr>,
    /// Calendar years granted credit stays valid after the year of its grant.
    #[arg(long, env = "CREDIT_VALID_YEARS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=30))]
    credit_valid_years: u32,
    /// The issuer of the registry that invoices partners the platform's commission.
    #[arg(long, env = "PLATFORM_ISSUER", default_value = "platform", value_parser = |s: &str| storno_core::IssuerId::parse(s).map_err(|e| e.to_string()))]
    platform_issuer: storno_core::IssuerId,
}

impl Args {
    fn config(&self) -> Config {
        let seconds = Duration::from_secs;
        Config {
            data: (!self.memory).then(|| self.data.clone()),
            clock_offset: chrono::Duration::days(self.clock_offset_days),
            seed: true,
            dynamodb_addr: self.dynamodb_addr,
            sweep_every: seconds(self.sweep_every_seconds),
            visibility: seconds(self.visibility_seconds),
            workers: self.workers as usize,
            reconcile_every: seconds(self.reconcile_every_seconds),
            reconcile_after: seconds(self.reconcile_after_seconds),
            edge: EdgeLimits {
                max_connections: self.max_connections as usize,
                max_connections_per_client: self
                    .max_connections_per_client
                    .map_or(self.max_connections.div_ceil(4), |share| {
                        share.min(self.max_connections)
                    }) as usize,
                header_timeout: seconds(self.header_timeout_seconds),
                body_timeout: seconds(self.body_timeout_seconds),
                ..EdgeLimits::default()
            },
            policy: Policy {
                credit_valid_years: self.credit_valid_years,
                platform_issuer: self.platform_issuer.clone(),
            },
        }
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
async fn stop_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = terminate.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    storno_functions::logging::init();
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "warning: serving on {} (not loopback) with dev tokens",
            args.addr
        );
    }
    let config = args.config();
    let local = Local::start(&config).await?;
    let background = local.spawn_background(Duration::from_secs(args.payout_every_seconds));
    banner(&local, &args, &config);
    // On SIGTERM/SIGINT: stop accepting, let requests in flight finish, then let the workers
    // finish their batches. Every follow-up is in the data file already: nothing to flush.
    storno_local::serve(local, args.addr, stop_signal()).await?;
    background.stop(Duration::from_secs(30)).await;
    eprintln!("storno-local stopped");
    Ok(())
}

fn banner(local: &Local, args: &Args, config: &Config) {
    let base = format!("http://{}", args.addr);
    let tokens = &local.tokens;
    let staff = tokens.mint("staff", seed::STAFF, None);
    let partner = tokens.mint("partner", "partner-user", Some(seed::PARTNER));
    let customer = tokens.mint("customer", seed::CUSTOMER, None);
    let system = tokens.mint("system", "scheduler", None);
    let data = match &config.data {
        Some(path) => format!("data in {}", path.display()),
        None => "data in memory".into(),
    };
    println!(
        "storno-local on {base} ({data}{})",
        if local.seeded { ", demo seeded" } else { "" }
    );
    if let Some(dynamodb) = config.dynamodb_addr {
        println!("DynamoDB (dynoxide) on http://{dynamodb}, table \"storno\"");
    }
    if config.clock_offset != chrono::Duration::zero() {
        println!("clock shifted by {} days", config.clock_offset.num_days());
    }
    println!("\ndev tokens (HS256, local only):");
    println!("  export STAFF={staff}");
    println!("  export PARTNER={partner}");
    println!("  export CUSTOMER={customer}");
    println!("  export SYSTEM={system}");
    println!("\ntry:");
    println!(
        "  curl -s {base}/orders/{} -H \"Authorization: Bearer $CUSTOMER\"",
        seed::GROUP_ORDER
    );
    println!(
        "  curl -s -X POST {base}/orders/{}/bookings/b1/options/ws/cancel -H \"Authorization: Bearer $STAFF\" -H 'Idempotency-Key: demo-1' -H 'Content-Type: application/json' -d '{{\"fee\":{{\"type\":\"none\"}},\"dry_run\":true}}'",
        seed::GROUP_ORDER
    );
    println!(
        "  curl -s -X POST {base}/orders/{}/bookings/b1/cancel -H \"Authorization: Bearer $STAFF\" -H 'Idempotency-Key: demo-2' -H 'Content-Type: application/json' -d '{{\"fee\":{{\"type\":\"terms\"}}}}'",
        seed::GROUP_ORDER
    );
    println!(
        "  curl -s {base}/orders/{}/documents -H \"Authorization: Bearer $CUSTOMER\"",
        seed::GROUP_ORDER
    );
    println!(
        "  curl -s -X PUT {base}/orders/{}/rebook-flag -H \"Authorization: Bearer $PARTNER\" -H 'Content-Type: application/json' -d '{{\"on\":true}}'",
        seed::COURSE_ORDER
    );
    println!(
        "  curl -s -X POST {base}/orders/{}/rebookings -H \"Authorization: Bearer $STAFF\" -H 'Content-Type: application/json' -d '{{\"date\":\"{}\"}}'",
        seed::COURSE_ORDER,
        seed::LATER_COURSE_DATE
    );
    println!(
        "  curl -s {base}/partners/{}/orders -H \"Authorization: Bearer $PARTNER\"",
        seed::PARTNER
    );
    println!(
        "  curl -s {base}/dates/{}/attendees -H \"Authorization: Bearer $PARTNER\"",
        seed::CONFERENCE_DATE
    );
    println!("  curl -s -X POST {base}/payout-runs -H \"Authorization: Bearer $SYSTEM\"");
}
