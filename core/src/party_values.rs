//! The checked values parties are made of: country codes, VAT ids, IBANs, tax numbers,
//! e-mail addresses and bounded texts. Each is checked once, when it enters.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::Text;

/// ISO 3166-1 alpha-2 (the tz database's iso3166.tab).
const COUNTRIES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

pub(crate) fn invalid(field: &'static str, why: impl Into<String>) -> DomainError {
    DomainError::InvalidParty {
        field,
        why: why.into(),
    }
}

/// A country, as its ISO 3166-1 alpha-2 code (`DE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        if COUNTRIES.contains(&code) {
            Ok(CountryCode(code.as_bytes().try_into().expect("two bytes")))
        } else {
            Err(invalid(
                "country",
                format!("{code:?} is not an ISO 3166-1 alpha-2 country code such as DE"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII")
    }
}

impl TryFrom<String> for CountryCode {
    type Error = DomainError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        CountryCode::parse(&code)
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> Self {
        code.as_str().to_owned()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A VAT identification number: two letters of the country (`EL` for Greece, `XI` for
/// Northern Ireland) and 2 to 13 letters or digits; German ones are `DE` and nine digits,
/// Austrian ones `ATU` and eight digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct VatId(Text);

impl VatId {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = compact.as_bytes();
        let shaped = (4..=15).contains(&bytes.len())
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let national = match &compact[..2.min(compact.len())] {
            "DE" => bytes.len() == 11 && bytes[2..].iter().all(u8::is_ascii_digit),
            "AT" => {
                bytes.len() == 11 && bytes[2] == b'U' && bytes[3..].iter().all(u8::is_ascii_digit)
            }
            _ => true,
        };
        let country = &compact[..2.min(compact.len())];
        let known = matches!(country, "EL" | "XI") || COUNTRIES.contains(&country);
        if shaped && national && known {
            Ok(VatId(compact.into()))
        } else {
            Err(invalid(
                "vat_id",
                format!("{value:?} is not a VAT id (country prefix and number, e.g. DE123456789)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The member state that issued it (`EL` is Greece's prefix, `XI` Northern Ireland's),
    /// if it is a VAT id of the European Union.
    pub fn eu_member_state(&self) -> Option<&str> {
        const EU: [&str; 28] = [
            "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
            "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
        ];
        let prefix = &self.0[..2];
        EU.contains(&prefix).then_some(prefix)
    }
}

impl TryFrom<String> for VatId {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        VatId::parse(&value)
    }
}

impl From<VatId> for String {
    fn from(id: VatId) -> Self {
        id.0.to_string()
    }
}

impl fmt::Display for VatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IBAN, checked with its ISO 13616 check digits (mod 97).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Iban(Text);

impl Iban {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let compact: String = value
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let bytes = compact.as_bytes();
        let shaped = (15..=34).contains(&bytes.len())
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit)
            && bytes.iter().all(u8::is_ascii_alphanumeric);
        let checks = shaped && {
            let rearranged = compact[4..].bytes().chain(compact[..4].bytes());
            rearranged.fold(0u32, |rest, b| {
                if b.is_ascii_digit() {
                    (rest * 10 + u32::from(b - b'0')) % 97
                } else {
                    (rest * 100 + u32::from(b - b'A' + 10)) % 97
                }
            }) == 1
        };
        if checks {
            Ok(Iban(compact.into()))
        } else {
            Err(invalid(
                "iban",
                format!("{value:?} is not a valid IBAN (its check digits do not match)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Iban {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Iban::parse(&value)
    }
}

impl From<Iban> for String {
    fn from(iban: Iban) -> Self {
        iban.0.to_string()
    }
}

/// 1 to `max` characters after trimming; `field` names it in the refusal.
pub fn text(value: &str, field: &'static str, max: usize) -> Result<Text, DomainError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("must have 1 to {max} characters, no control characters"),
        ));
    }
    Ok(value.into())
}

/// A tax number (Steuernummer) as the tax office writes it: 8 to 15 digits, grouped by
/// spaces, `/`, `-` or `.` (e.g. `21/815/08150` or the 13-digit ELSTER form).
pub fn tax_number(value: &str, field: &'static str) -> Result<Text, DomainError> {
    let value = text(value, field, 30)?;
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let plausible = (8..=15).contains(&digits)
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '/' | '-' | '.'));
    if !plausible {
        return Err(invalid(
            field,
            format!(
                "{value:?} is not a tax number: 8 to 15 digits, grouped by spaces, '/', '-' or '.'"
            ),
        ));
    }
    Ok(value)
}

/// An e-mail address: something before and a domain with a dot after one `@`.
pub fn email(value: &str, field: &'static str) -> Result<Text, DomainError> {
    let value = text(value, field, 254)?;
    let plausible = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !value.contains(char::is_whitespace);
    if plausible {
        Ok(value)
    } else {
        Err(invalid(
            field,
            format!("{value:?} is not an e-mail address"),
        ))
    }
}
