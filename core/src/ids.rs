//! Identifiers. Each is its own type so an option id can never be passed as a booking id.
//! Shared (`Arc<str>`): aggregates hold thousands and are cloned per command.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// Names and descriptions: shared, because aggregates and documents hold thousands of them
/// and commands clone aggregates.
pub type Text = Arc<str>;

/// Longest identifier accepted; DynamoDB keys and URLs stay short and predictable.
pub const MAX_ID_LEN: usize = 64;

/// Order ids of this prefix name a customer's credit account stream (its command records and
/// follow-ups), never an order: intake refuses ids starting with `_`.
const CREDIT_STREAM: &str = "_credit.";

/// [`valid`] as a regular expression (the OpenAPI document's id pattern).
#[cfg(feature = "schema")]
const ID_PATTERN: &str = r"^([A-Za-z0-9._-]{1,64}|_credit\.[A-Za-z0-9._-]{1,68})$";

fn valid(value: &str) -> bool {
    plain(value, MAX_ID_LEN)
        || value
            .strip_prefix(CREDIT_STREAM)
            .is_some_and(|rest| plain(rest, MAX_ID_LEN + 4))
}

fn plain(value: &str, max_len: usize) -> bool {
    !value.is_empty()
        && value.len() <= max_len
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Arc<str>);

        /// A string of the id alphabet, as [`valid`] accepts it.
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "description": concat!("A ", $kind, " id: 1 to 64 characters of A-Z, a-z, 0-9, '-', '_', '.'."),
                    "type": "string",
                    "pattern": ID_PATTERN,
                })
            }
        }

        impl $name {
            /// Parses an id: 1 to 64 characters of `A-Z a-z 0-9 - _ .`.
            pub fn parse(value: impl Into<String>) -> Result<Self, DomainError> {
                let value = value.into();
                if valid(&value) {
                    Ok(Self(value.into()))
                } else {
                    Err(DomainError::InvalidId { kind: $kind, value })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0.to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(/// An order, as registered by checkout.
    OrderId, "order");
id_type!(/// One attendee's booking inside an order.
    BookingId, "booking");
id_type!(/// One offer package booked for an attendee.
    OptionId, "option");
id_type!(/// A course provider or organiser.
    PartnerId, "partner");
id_type!(/// A paying customer.
    CustomerId, "customer");
id_type!(/// A member of platform staff.
    StaffId, "staff");
id_type!(/// A scheduled course or conference date.
    DateId, "date");
id_type!(/// Whoever issues the documents (and owns the number series).
    IssuerId, "issuer");
id_type!(/// A customer's rebooking request within an order.
    RequestId, "rebooking request");

impl OrderId {
    /// The stream `_credit.<account>` (built by `OrderId::credit_stream` in the credit module).
    pub(crate) fn credit_stream_named(account: &str) -> OrderId {
        OrderId(format!("{CREDIT_STREAM}{account}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_url_safe_characters_only() {
        assert!(OrderId::parse("ord-2024_01.a").is_ok());
        assert!(OrderId::parse("").is_err());
        assert!(OrderId::parse("a/b").is_err());
        assert!(OrderId::parse("x".repeat(65)).is_err());
    }
}
