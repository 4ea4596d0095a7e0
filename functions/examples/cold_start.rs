//! Cold-start figures: exec → first `GET /2018-06-01/runtime/invocation/next` for every Lambda
//! binary and the `hello_runtime` baseline, against a fake Runtime API on 127.0.0.1, side by
//! side in one run; and the binaries' sizes.
//!
//! ```text
//! cargo build --release -p storno-functions --bins --example hello_runtime
//! cargo run --release -p storno-functions --example cold_start [ROUNDS [FUNCTION …]]
//! ```
//! Nothing is asserted: the machines are shared; compare the ratios of one run. The functions
//! run as in Lambda (no endpoint override), so they trust the compiled-in Amazon Trust Services
//! roots; `STORNO_TLS_ROOTS=platform` measures them loading the platform's trust store instead,
//! and `SSL_CERT_FILE` is passed on too (rustls-native-certs honours it).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FUNCTIONS: [&str; 11] = [
    "orders",
    "operations",
    "dates",
    "rebook-toggle",
    "cancel-invoice",
    "cancel-booking",
    "cancel-option",
    "update-invoice",
    "followup-worker",
    "payout-release",
    "outbox-sweeper",
];

/// Starts `binary` against a fresh fake Runtime API; the time until it asks for work.
fn time_to_first_poll(binary: &Path) -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().unwrap();
    let started = Instant::now();
    let mut command = Command::new(binary);
    command.env_clear();
    for passed_on in ["STORNO_TLS_ROOTS", "SSL_CERT_FILE"] {
        if let Ok(value) = std::env::var(passed_on) {
            command.env(passed_on, value);
        }
    }
    let mut child = command
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "cold-start")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "local")
        // Static credentials and a region: the SDK never looks on the network.
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TABLE_NAME", "storno")
        .env("FOLLOWUP_QUEUE_URL", "http://127.0.0.1:9/queue/followups")
        .env(
            "INSTRUCTIONS_QUEUE_URL",
            "http://127.0.0.1:9/queue/instructions",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let (stream, _) = listener.accept().expect("the runtime connects");
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).unwrap();
    let elapsed = started.elapsed();
    assert!(line.contains("/runtime/invocation/next"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let chosen: Vec<String> = std::env::args().skip(2).collect();
    let release = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release");
    let baseline = release.join("examples/hello_runtime");
    let mut binaries = vec![("hello_runtime (baseline)", baseline)];
    binaries.extend(
        FUNCTIONS
            .iter()
            .filter(|name| chosen.is_empty() || chosen.iter().any(|c| c == *name))
            .map(|name| (*name, release.join(name))),
    );
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); binaries.len()];
    // Interleaved rounds: each binary sees the same machine load.
    for _ in 0..rounds {
        for (index, (_, path)) in binaries.iter().enumerate() {
            samples[index].push(time_to_first_poll(path));
        }
    }
    let base = median(samples[0].clone());
    println!("exec → first /invocation/next, median of {rounds} (fake Runtime API on 127.0.0.1)");
    println!(
        "  {:<26} {:>10} {:>7} {:>10}",
        "binary", "median", "ratio", "size"
    );
    for ((name, path), samples) in binaries.iter().zip(samples) {
        let time = median(samples);
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "  {name:<26} {time:>10.2?} {:>6.2}× {:>7.2} MB",
            time.as_secs_f64() / base.as_secs_f64(),
            size as f64 / 1_000_000.0
        );
    }
}
