//! Logs as Lambda's advanced logging controls ask: the level from `AWS_LAMBDA_LOG_LEVEL` (else
//! `RUST_LOG`, else INFO), JSON lines when `AWS_LAMBDA_LOG_FORMAT=JSON`.
//!
//! Our own instead of `lambda_runtime::tracing::init_default_subscriber`: that one parses
//! `RUST_LOG` as a directive filter and brings a regex engine (~0.3 MB) into every binary; a
//! level is all the functions are configured with.

use std::str::FromStr;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The level a variable names (`info`, `WARN`, …); anything else is INFO.
pub fn level(setting: Option<&str>) -> LevelFilter {
    setting
        .and_then(|name| LevelFilter::from_str(name.trim()).ok())
        .unwrap_or(LevelFilter::INFO)
}

/// Installs the subscriber once per process (a second call changes nothing).
pub fn init() {
    let setting = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let level = level(setting.as_deref());
    // The embedded DynamoDB server (storno-local's) reports every refused condition as a
    // warning; refused conditions are how commands detect races, so only its errors count.
    let quiet = Targets::new()
        .with_default(level)
        .with_target("dynoxide::server", LevelFilter::ERROR);
    let logs = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .without_time()
        .with_ansi(false);
    let _already = if json {
        logs.json().finish().with(quiet).try_init()
    } else {
        logs.finish().with(quiet).try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_is_read_from_the_setting_or_is_info() {
        assert_eq!(level(Some("WARN")), LevelFilter::WARN);
        assert_eq!(level(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level(Some("storno=debug")), LevelFilter::INFO);
        assert_eq!(level(None), LevelFilter::INFO);
    }
}
