//! Document numbers from a gapless sequence per issuer and prefix (and year in the issuer's
//! time zone, if its format has one). The core never reads a counter: the caller passes the
//! next free value of the series in the command context and advances the counter by what the
//! decision says it used, in the same transaction that stores the documents.
//!
//! Prefixes are unique across issuers (the registry refuses a clash) and end in a letter, so a
//! printed number (`CDC25/001`: prefix, two digits of the year, sequence) names one document:
//! no prefix `CDC25` can exist next to the yearly series of `CDC`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::IssuerId;

/// How an issuer numbers its documents: `CDC24/001` with a yearly series, `CDC/001` without;
/// `digits` is the sequence's minimum width.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "NumberFormatRepr")]
pub struct NumberFormat {
    prefix: String,
    yearly: bool,
    digits: u8,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct NumberFormatRepr {
    prefix: String,
    yearly: bool,
    #[serde(default = "default_digits")]
    digits: u8,
}

fn default_digits() -> u8 {
    3
}

impl TryFrom<NumberFormatRepr> for NumberFormat {
    type Error = DomainError;
    fn try_from(repr: NumberFormatRepr) -> Result<Self, Self::Error> {
        NumberFormat::with_digits(repr.prefix, repr.yearly, repr.digits)
    }
}

impl NumberFormat {
    /// A prefix of 1 to 12 letters or digits ending in a letter, sequences of three digits.
    pub fn new(prefix: impl Into<String>, yearly: bool) -> Result<Self, DomainError> {
        Self::with_digits(prefix, yearly, 3)
    }

    pub fn with_digits(
        prefix: impl Into<String>,
        yearly: bool,
        digits: u8,
    ) -> Result<Self, DomainError> {
        let prefix = prefix.into();
        if prefix.is_empty()
            || prefix.len() > 12
            || !prefix.bytes().all(|b| b.is_ascii_alphanumeric())
            || !prefix
                .bytes()
                .last()
                .is_some_and(|b| b.is_ascii_alphabetic())
        {
            return Err(DomainError::InvalidInput(format!(
                "{prefix:?} is not a document number prefix: use 1 to 12 letters or digits, ending in a letter"
            )));
        }
        if !(1..=9).contains(&digits) {
            return Err(DomainError::InvalidInput(
                "a number format's digits must be 1 to 9".into(),
            ));
        }
        Ok(NumberFormat {
            prefix,
            yearly,
            digits,
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn is_yearly(&self) -> bool {
        self.yearly
    }

    pub fn digits(&self) -> u8 {
        self.digits
    }
}

/// Which counter a document issued at a given time draws from: one per issuer, prefix and
/// (for yearly formats) calendar year in the issuer's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SeriesKey {
    pub issuer: IssuerId,
    pub prefix: String,
    pub year: Option<i32>,
}

/// A document number. Invoice versions share their base (`CDC24/001`, `CDC24/001/2`, …);
/// every cancellation document and fee invoice has a base of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(into = "NumberRepr", from = "NumberRepr")]
pub struct DocumentNumber {
    prefix: String,
    year: Option<i32>,
    seq: u32,
    version: u32,
    digits: u8,
}

/// A number as JSON: its parts, the number as printed on the document (`text`) and its
/// URL-safe form (`id`, for the document route); both ignored when read back.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct NumberRepr {
    #[serde(default, skip_deserializing)]
    text: String,
    #[serde(default, skip_deserializing)]
    id: String,
    prefix: String,
    year: Option<i32>,
    seq: u32,
    version: u32,
    #[serde(default = "default_digits")]
    digits: u8,
}

impl From<DocumentNumber> for NumberRepr {
    fn from(number: DocumentNumber) -> Self {
        NumberRepr {
            text: number.to_string(),
            id: number.id(),
            prefix: number.prefix,
            year: number.year,
            seq: number.seq,
            version: number.version,
            digits: number.digits,
        }
    }
}

impl From<NumberRepr> for DocumentNumber {
    fn from(repr: NumberRepr) -> Self {
        DocumentNumber {
            prefix: repr.prefix,
            year: repr.year,
            seq: repr.seq,
            version: repr.version,
            digits: repr.digits,
        }
    }
}

impl DocumentNumber {
    pub fn new(format: &NumberFormat, key: &SeriesKey, seq: u32) -> Self {
        DocumentNumber {
            prefix: format.prefix.clone(),
            year: key.year,
            seq,
            version: 1,
            digits: format.digits,
        }
    }

    /// A number from its parts (stored data).
    pub fn from_parts(
        prefix: String,
        year: Option<i32>,
        seq: u32,
        version: u32,
        digits: u8,
    ) -> Self {
        DocumentNumber {
            prefix,
            year,
            seq,
            version,
            digits,
        }
    }

    /// The number as a URL path segment: the printed number with `-` for `/` (`CDC25-001-2`).
    /// Prefixes hold only letters and digits, so the two forms map one to one.
    pub fn id(&self) -> String {
        self.to_string().replace('/', "-")
    }

    /// The printed number of a URL-safe id or of a printed number.
    pub fn printed_from_id(id: &str) -> String {
        id.replace('-', "/")
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The same base number with another version suffix.
    pub fn with_version(&self, version: u32) -> Self {
        DocumentNumber {
            version,
            ..self.clone()
        }
    }

    pub fn seq(&self) -> u32 {
        self.seq
    }

    pub fn year(&self) -> Option<i32> {
        self.year
    }

    pub fn version(&self) -> u32 {
        self.version
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.prefix)?;
        if let Some(year) = self.year {
            write!(f, "{:02}", year.rem_euclid(100))?;
        }
        write!(f, "/{:0width$}", self.seq, width = usize::from(self.digits))?;
        if self.version > 1 {
            write!(f, "/{}", self.version)?;
        }
        Ok(())
    }
}

/// Hands out numbers of one series during one command, starting at the value the caller read.
#[derive(Debug, Clone)]
pub struct NumberAllocator {
    key: SeriesKey,
    next: u32,
    used: u32,
}

impl NumberAllocator {
    /// `next` is the first unused value of the series (1 for a new series).
    pub fn new(key: SeriesKey, next: u32) -> Self {
        NumberAllocator { key, next, used: 0 }
    }

    pub fn key(&self) -> &SeriesKey {
        &self.key
    }

    pub(crate) fn take(&mut self, format: &NumberFormat) -> DocumentNumber {
        let number = DocumentNumber::new(format, &self.key, self.next + self.used);
        self.used += 1;
        number
    }

    /// How many numbers were taken; the caller advances its counter by this much.
    pub fn used(&self) -> u32 {
        self.used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(prefix: &str, year: Option<i32>) -> SeriesKey {
        SeriesKey {
            issuer: IssuerId::parse("converia-demo").unwrap(),
            prefix: prefix.into(),
            year,
        }
    }

    #[test]
    fn invoice_versions_keep_their_base_number_with_a_version_suffix() {
        let format = NumberFormat::new("CDC", true).unwrap();
        let mut numbers = NumberAllocator::new(series("CDC", Some(2024)), 1);
        let first = numbers.take(&format);
        assert_eq!(first.to_string(), "CDC24/001");
        assert_eq!(first.with_version(2).to_string(), "CDC24/001/2");
        assert_eq!(first.with_version(2).id(), "CDC24-001-2");
        assert_eq!(numbers.take(&format).to_string(), "CDC24/002");
        assert_eq!(numbers.used(), 2);
    }

    #[test]
    fn a_series_without_year_has_no_year_in_its_numbers_and_digits_set_the_width() {
        let format = NumberFormat::with_digits("KF", false, 5).unwrap();
        let key = series("KF", None);
        assert_eq!(
            DocumentNumber::new(&format, &key, 1234).to_string(),
            "KF/01234"
        );
    }

    #[test]
    fn prefixes_end_in_a_letter_so_printed_numbers_cannot_collide() {
        assert!(NumberFormat::new("CDC", true).is_ok());
        assert!(NumberFormat::new("CDC25", false).is_err());
        assert!(NumberFormat::new("A1B", true).is_ok());
        assert!(NumberFormat::new("CD-C", true).is_err());
        assert!(NumberFormat::with_digits("CDC", true, 0).is_err());
    }

    #[test]
    fn a_url_safe_id_maps_back_to_the_printed_number() {
        assert_eq!(
            DocumentNumber::printed_from_id("CDC25-001-2"),
            "CDC25/001/2"
        );
    }
}
