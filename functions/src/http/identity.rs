//! Who is calling: only the JWT claims the API Gateway authorizer put in the request context
//! (`sub`, `custom:role`, `custom:partner_id`). A handler never reads a token itself.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use storno_core::{Actor, CustomerId, PartnerId, StaffId};

use super::Problem;
use super::refusal::Refusal;

/// The claims Storno reads.
pub const SUB: &str = "sub";
pub const ROLE: &str = "custom:role";
pub const PARTNER_ID: &str = "custom:partner_id";

/// The caller, or 401 when the request carries no usable identity.
pub fn actor_of(request: &Request) -> Result<Actor, Problem> {
    let claims = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .map(|jwt| &jwt.claims),
        _ => None,
    }
    .ok_or(Refusal::Unauthorized)?;
    let claim = |name: &str| {
        claims
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let sub = claim(SUB).ok_or(Refusal::Unauthorized)?;
    let invalid = |_| Refusal::Unauthorized;
    match claim(ROLE) {
        Some("customer") => Ok(Actor::Customer(CustomerId::parse(sub).map_err(invalid)?)),
        Some("partner") => {
            let partner = claim(PARTNER_ID).ok_or(Refusal::Unauthorized)?;
            Ok(Actor::Partner(PartnerId::parse(partner).map_err(invalid)?))
        }
        Some("staff") => Ok(Actor::Staff(StaffId::parse(sub).map_err(invalid)?)),
        Some("system") => Ok(Actor::System),
        _ => Err(Refusal::Unauthorized.into()),
    }
}

/// The key idempotency records are scoped to: the same key from two callers are two keys.
pub fn caller_key(actor: &Actor) -> String {
    match actor {
        Actor::Customer(id) => format!("customer:{id}"),
        Actor::Partner(id) => format!("partner:{id}"),
        Actor::Staff(id) => format!("staff:{id}"),
        Actor::System => "system".to_owned(),
    }
}
