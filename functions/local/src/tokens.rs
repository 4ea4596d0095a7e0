//! Dev tokens: HS256 JWTs with the claims API Gateway's authorizer would pass on (`sub`,
//! `custom:role`, `custom:partner_id`). They exist only in this binary; the Lambda functions
//! never verify a token, they trust the authorizer's context.

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The local server's signing secret. Local and loopback only: never a production secret.
pub const DEV_SECRET: &str = "storno-local-dev-secret-not-for-production";
const ISSUER: &str = "storno-local";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(rename = "custom:role")]
    role: String,
    #[serde(
        rename = "custom:partner_id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    partner_id: Option<String>,
    iss: String,
    exp: i64,
}

#[derive(Clone)]
pub struct DevTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Default for DevTokens {
    fn default() -> Self {
        DevTokens {
            encoding: EncodingKey::from_secret(DEV_SECRET.as_bytes()),
            decoding: DecodingKey::from_secret(DEV_SECRET.as_bytes()),
        }
    }
}

impl DevTokens {
    /// A token for `role` (`customer`, `partner`, `staff`, `system`), valid for 30 days.
    pub fn mint(&self, role: &str, sub: &str, partner_id: Option<&str>) -> String {
        let claims = Claims {
            sub: sub.to_owned(),
            role: role.to_owned(),
            partner_id: partner_id.map(str::to_owned),
            iss: ISSUER.to_owned(),
            exp: (chrono::Utc::now() + chrono::Duration::days(30)).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// The claims of a valid token, as the authorizer would hand them on; `None` otherwise.
    pub fn verify(&self, token: &str) -> Option<HashMap<String, String>> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        let mut map = HashMap::from([
            ("sub".to_owned(), claims.sub),
            ("custom:role".to_owned(), claims.role),
        ]);
        if let Some(partner) = claims.partner_id {
            map.insert("custom:partner_id".to_owned(), partner);
        }
        Some(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_verifies_and_a_tampered_one_does_not() {
        let tokens = DevTokens::default();
        let token = tokens.mint("partner", "anna", Some("partner-1"));
        let claims = tokens.verify(&token).unwrap();
        assert_eq!(claims["custom:partner_id"], "partner-1");
        let mut tampered = token.clone();
        tampered.pop();
        assert!(tokens.verify(&tampered).is_none());
        assert!(tokens.verify("not a token").is_none());
    }
}
