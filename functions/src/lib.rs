//! Storno's application layer: use cases over ports, and the adapters that implement them.
//!
//! Dependency direction (DESIGN.md §2): `bin → application → ports ← adapters`, everything →
//! [`storno_core`]. Business rules live only in `storno-core`; this crate loads state, asks the
//! core for a decision and records it. The persistence and follow-up issues fill it in.

pub use storno_core as core;
