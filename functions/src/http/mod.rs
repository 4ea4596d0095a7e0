//! The HTTP API on `lambda_http` types: routing, identity from the authorizer's
//! claims, JSON bodies with unknown fields refused, problem+json errors, `Idempotency-Key`,
//! `ETag`/`If-Match`, opaque cursors. The Lambda binaries and `storno-local` serve the same
//! [`Api`]; every rule is the core's.

mod answers;
mod api;
mod bodies;
mod identity;
mod order_view;
mod problem;
mod refusal;
mod request;
pub mod routes;
#[cfg(feature = "schema")]
pub mod schema;
mod views;

pub use api::{Api, ApiSettings, Renderer};
pub use identity::{PARTNER_ID, ROLE, SUB, actor_of};
pub use problem::Problem;
pub use refusal::Refusal;
pub use request::{BODY_LIMIT, problem_response};
pub use routes::{Function, ROUTES, RouteId, RouteSpec};
