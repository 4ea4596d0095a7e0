//! The parties on a document: the seller (an issuer of the registry, frozen onto each document
//! when it is issued) and the recipient (given by checkout with the order). Their parts are
//! checked once, when they enter: country codes, VAT ids, IBANs, e-mail addresses.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::Text;
use crate::party_values::invalid;
pub use crate::party_values::{CountryCode, Iban, VatId, email, tax_number, text};

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PostalAddress {
    pub street: Text,
    pub additional: Option<Text>,
    pub postal_code: Text,
    pub city: Text,
    pub country: CountryCode,
}

/// A postal address as a request sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAddress {
    pub street: String,
    #[serde(default)]
    pub additional: Option<String>,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

impl NewAddress {
    pub fn checked(&self) -> Result<PostalAddress, DomainError> {
        Ok(PostalAddress {
            street: text(&self.street, "address.street", 120)?,
            additional: self
                .additional
                .as_deref()
                .map(|a| text(a, "address.additional", 120))
                .transpose()?,
            postal_code: text(&self.postal_code, "address.postal_code", 16)?,
            city: text(&self.city, "address.city", 80)?,
            country: CountryCode::parse(&self.country)?,
        })
    }
}

/// Who receives the order's documents (the buyer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Recipient {
    pub name: Text,
    pub company: Option<Text>,
    pub address: PostalAddress,
    pub vat_id: Option<VatId>,
    /// The buyer's reference for its accounts (e.g. a Leitweg-ID of a public buyer).
    pub buyer_reference: Option<Text>,
    /// Where documents are sent (also the buyer's electronic address on e-invoices).
    pub email: Text,
}

/// The recipient as checkout sends it with the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRecipient {
    pub name: String,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub address: Option<NewAddress>,
    #[serde(default)]
    pub vat_id: Option<String>,
    #[serde(default)]
    pub buyer_reference: Option<String>,
    pub email: String,
}

impl NewRecipient {
    /// The recipient with every part checked; a document needs the postal address.
    pub fn checked(&self) -> Result<Recipient, DomainError> {
        let address = self
            .address
            .as_ref()
            .ok_or(DomainError::RecipientAddressMissing)?
            .checked()?;
        Ok(Recipient {
            name: text(&self.name, "recipient.name", 120)?,
            company: self
                .company
                .as_deref()
                .map(|c| text(c, "recipient.company", 120))
                .transpose()?,
            address,
            vat_id: self.vat_id.as_deref().map(VatId::parse).transpose()?,
            buyer_reference: self
                .buyer_reference
                .as_deref()
                .map(|r| text(r, "recipient.buyer_reference", 80))
                .transpose()?,
            email: email(&self.email, "recipient.email")?,
        })
    }
}

/// Whom to ask about a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: Text,
    pub phone: Text,
    pub email: Text,
}

impl Contact {
    /// The contact with every part checked (it also arrives this way in requests).
    pub fn checked(self) -> Result<Self, DomainError> {
        let phone = text(&self.phone, "contact.phone", 40)?;
        if phone.chars().filter(char::is_ascii_digit).count() < 3 {
            return Err(invalid(
                "contact.phone",
                "a phone number needs at least three digits",
            ));
        }
        Ok(Contact {
            name: text(&self.name, "contact.name", 120)?,
            phone,
            email: email(&self.email, "contact.email")?,
        })
    }
}

/// Where customers pay the seller (a SEPA credit transfer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentAccount {
    pub iban: Iban,
    pub bic: Option<Text>,
    /// The account holder, if not the seller's legal name.
    pub holder: Option<Text>,
}

/// A payment account as a request sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPaymentAccount {
    pub iban: String,
    #[serde(default)]
    pub bic: Option<String>,
    #[serde(default)]
    pub holder: Option<String>,
}

impl NewPaymentAccount {
    pub fn checked(&self) -> Result<PaymentAccount, DomainError> {
        let bic = match &self.bic {
            Some(bic) => {
                let shaped = matches!(bic.len(), 8 | 11)
                    && bic
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                    && bic.as_bytes()[..4].iter().all(u8::is_ascii_uppercase);
                if !shaped {
                    return Err(invalid("payment.bic", format!("{bic:?} is not a BIC")));
                }
                Some(bic.as_str().into())
            }
            None => None,
        };
        Ok(PaymentAccount {
            iban: Iban::parse(&self.iban)?,
            bic,
            holder: self
                .holder
                .as_deref()
                .map(|h| text(h, "payment.holder", 120))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_iso_3166_alpha_2() {
        assert!(CountryCode::parse("DE").is_ok());
        assert!(CountryCode::parse("de").is_err());
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("DEU").is_err());
    }

    #[test]
    fn tax_numbers_are_digits_in_the_groups_tax_offices_print() {
        for good in ["21/815/08150", "2181508150", "9181081508155", "12 345 678"] {
            assert!(tax_number(good, "tax_number").is_ok(), "{good}");
        }
        for bad in [
            "x",
            "1234567",
            "21/815/0815O",
            "DE123456789",
            "1234567890123456",
        ] {
            let refused = tax_number(bad, "tax_number").unwrap_err();
            assert_eq!(refused.code(), "invalid_tax_number", "{bad}");
        }
    }

    #[test]
    fn vat_ids_need_a_country_prefix_and_german_ones_nine_digits() {
        assert!(VatId::parse("DE123456789").is_ok());
        assert!(VatId::parse("DE 123 456 789").is_ok());
        assert!(VatId::parse("DE12345678").is_err());
        assert!(VatId::parse("ATU12345678").is_ok());
        assert!(VatId::parse("FR12345678901").is_ok());
        assert!(VatId::parse("EL123456789").is_ok());
        assert!(VatId::parse("QQ123456789").is_err());
        assert!(VatId::parse("123456789").is_err());
    }

    #[test]
    fn ibans_must_pass_their_check_digits() {
        assert!(Iban::parse("DE89 3704 0044 0532 0130 00").is_ok());
        assert!(Iban::parse("DE89370400440532013001").is_err());
        assert!(Iban::parse("DE8937040044").is_err());
    }

    #[test]
    fn email_addresses_need_a_domain() {
        assert!(email("anna@example.org", "email").is_ok());
        assert!(email("anna@example", "email").is_err());
        assert!(email("anna example.org", "email").is_err());
    }
}
