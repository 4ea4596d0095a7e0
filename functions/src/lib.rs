//! Storno's application layer: use cases over ports, and the adapters that implement them.
//!
//! Dependency direction: `bin → app (use cases) → ports ← adapters (store)`,
//! everything → [`storno_core`]. Business rules live only in `storno-core`; this crate loads
//! state, asks the core for a decision and records it in one DynamoDB transaction.

pub mod app;
pub mod events;
pub mod fonts;
pub mod http;
pub mod logging;
pub mod queue;
pub mod store;
pub mod wiring;

pub use storno_core as core;
