//! `cargo run --release -p storno-local`: the whole API on 127.0.0.1:3000 with no AWS.
//!
//! Flags (or environment): `--addr` (`STORNO_ADDR`, default 127.0.0.1:3000), `--data`
//! (`STORNO_DATA`, default ./storno-local.db), `--memory` (no file), `--clock-offset-days`
//! (`STORNO_CLOCK_OFFSET_DAYS`: run as of a later day), `--payout-every-seconds`
//! (`STORNO_PAYOUT_EVERY_SECONDS`, default 60), `--dynamodb-addr` (`STORNO_DYNAMODB_ADDR`:
//! also serve the embedded DynamoDB there, e.g. 127.0.0.1:8000 for `cargo lambda watch`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use storno_local::{Config, Local, seed};

struct Args {
    addr: SocketAddr,
    config: Config,
    payout_every: Duration,
}

fn setting(args: &[String], flag: &str, env: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var(env).ok())
}

fn parse() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |flag: &str, env: &str, default: i64| -> Result<i64, String> {
        setting(&args, flag, env)
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("{flag} takes a whole number, not {v:?}"))
            })
            .unwrap_or(Ok(default))
    };
    let addr: SocketAddr = setting(&args, "--addr", "STORNO_ADDR")
        .unwrap_or_else(|| "127.0.0.1:3000".into())
        .parse()
        .map_err(|e| format!("--addr: {e}"))?;
    let data = if args.iter().any(|a| a == "--memory") {
        None
    } else {
        Some(PathBuf::from(
            setting(&args, "--data", "STORNO_DATA").unwrap_or_else(|| "storno-local.db".into()),
        ))
    };
    Ok(Args {
        addr,
        config: Config {
            data,
            clock_offset: chrono::Duration::days(number(
                "--clock-offset-days",
                "STORNO_CLOCK_OFFSET_DAYS",
                0,
            )?),
            seed: true,
            dynamodb_addr: setting(&args, "--dynamodb-addr", "STORNO_DYNAMODB_ADDR")
                .map(|v| v.parse().map_err(|e| format!("--dynamodb-addr: {e}")))
                .transpose()?,
        },
        payout_every: Duration::from_secs(
            number("--payout-every-seconds", "STORNO_PAYOUT_EVERY_SECONDS", 60)?.max(1) as u64,
        ),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    lambda_http::tracing::init_default_subscriber();
    let args = parse()?;
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "warning: serving on {} (not loopback) with dev tokens",
            args.addr
        );
    }
    let local = Local::start(&args.config).await?;
    local.spawn_background(args.payout_every);
    banner(&local, &args);
    storno_local::serve(local, args.addr).await?;
    Ok(())
}

fn banner(local: &Local, args: &Args) {
    let base = format!("http://{}", args.addr);
    let tokens = &local.tokens;
    let staff = tokens.mint("staff", seed::STAFF, None);
    let partner = tokens.mint("partner", "partner-user", Some(seed::PARTNER));
    let customer = tokens.mint("customer", seed::CUSTOMER, None);
    let system = tokens.mint("system", "scheduler", None);
    let data = match &args.config.data {
        Some(path) => format!("data in {}", path.display()),
        None => "data in memory".into(),
    };
    println!(
        "storno-local on {base} ({data}{})",
        if local.seeded { ", demo seeded" } else { "" }
    );
    if let Some(dynamodb) = args.config.dynamodb_addr {
        println!("DynamoDB (dynoxide) on http://{dynamodb}, table \"storno\"");
    }
    if args.config.clock_offset != chrono::Duration::zero() {
        println!(
            "clock shifted by {} days",
            args.config.clock_offset.num_days()
        );
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
        "  curl -s -X POST {base}/orders/{}/bookings/b1/options/ws/cancel -H \"Authorization: Bearer $STAFF\" -H 'Idempotency-Key: demo-1' -d '{{\"fee\":{{\"type\":\"none\"}},\"dry_run\":true}}'",
        seed::GROUP_ORDER
    );
    println!(
        "  curl -s -X POST {base}/orders/{}/bookings/b1/cancel -H \"Authorization: Bearer $STAFF\" -H 'Idempotency-Key: demo-2' -d '{{\"fee\":{{\"type\":\"terms\"}}}}'",
        seed::GROUP_ORDER
    );
    println!(
        "  curl -s {base}/orders/{}/documents -H \"Authorization: Bearer $CUSTOMER\"",
        seed::GROUP_ORDER
    );
    println!(
        "  curl -s -X PUT {base}/orders/{}/rebook-flag -H \"Authorization: Bearer $PARTNER\" -d '{{\"on\":true}}'",
        seed::COURSE_ORDER
    );
    println!(
        "  curl -s -X POST {base}/orders/{}/rebookings -H \"Authorization: Bearer $STAFF\" -d '{{\"date\":\"{}\"}}'",
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
