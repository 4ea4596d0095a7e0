//! Document numbers from a gapless sequence per issuer (and year, if the issuer's format has
//! one). The core never reads a counter: the caller passes the next free value of the series
//! in the command context and advances the counter by what the decision says it used, in the
//! same transaction that stores the documents.

use std::fmt;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::IssuerId;

/// How an issuer numbers its documents: `CDC24/001` with a yearly series, `CDC/001` without.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "NumberFormatRepr")]
pub struct NumberFormat {
    prefix: String,
    yearly: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NumberFormatRepr {
    prefix: String,
    yearly: bool,
}

impl TryFrom<NumberFormatRepr> for NumberFormat {
    type Error = DomainError;
    fn try_from(repr: NumberFormatRepr) -> Result<Self, Self::Error> {
        NumberFormat::new(repr.prefix, repr.yearly)
    }
}

impl NumberFormat {
    /// A prefix of 1 to 12 letters or digits.
    pub fn new(prefix: impl Into<String>, yearly: bool) -> Result<Self, DomainError> {
        let prefix = prefix.into();
        if prefix.is_empty()
            || prefix.len() > 12
            || !prefix.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(DomainError::InvalidInput(format!(
                "{prefix:?} is not a document number prefix: use 1 to 12 letters or digits"
            )));
        }
        Ok(NumberFormat { prefix, yearly })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn is_yearly(&self) -> bool {
        self.yearly
    }
}

/// Which counter a document issued at a given time draws from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeriesKey {
    pub issuer: IssuerId,
    pub year: Option<i32>,
}

impl SeriesKey {
    pub fn for_issue(issuer: &IssuerId, format: &NumberFormat, now: DateTime<Utc>) -> Self {
        SeriesKey {
            issuer: issuer.clone(),
            year: format.yearly.then(|| now.year()),
        }
    }
}

/// A document number. Invoice versions share their base (`CDC24/001`, `CDC24/001/2`, …);
/// every cancellation document and fee invoice has a base of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "NumberRepr", from = "NumberRepr")]
pub struct DocumentNumber {
    prefix: String,
    year: Option<i32>,
    seq: u32,
    version: u32,
}

/// A number as JSON: its parts, and the number as printed on the document (`text`, for
/// clients; ignored when read back).
#[derive(Serialize, Deserialize)]
struct NumberRepr {
    #[serde(default, skip_deserializing)]
    text: String,
    prefix: String,
    year: Option<i32>,
    seq: u32,
    version: u32,
}

impl From<DocumentNumber> for NumberRepr {
    fn from(number: DocumentNumber) -> Self {
        NumberRepr {
            text: number.to_string(),
            prefix: number.prefix,
            year: number.year,
            seq: number.seq,
            version: number.version,
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
        }
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
        write!(f, "/{:03}", self.seq)?;
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
    use chrono::TimeZone;

    #[test]
    fn invoice_versions_keep_their_base_number_with_a_version_suffix() {
        let format = NumberFormat::new("CDC", true).unwrap();
        let issuer = IssuerId::parse("converia-demo").unwrap();
        let now = Utc.with_ymd_and_hms(2024, 5, 2, 10, 0, 0).unwrap();
        let mut numbers = NumberAllocator::new(SeriesKey::for_issue(&issuer, &format, now), 1);
        let first = numbers.take(&format);
        assert_eq!(first.to_string(), "CDC24/001");
        assert_eq!(first.with_version(2).to_string(), "CDC24/001/2");
        assert_eq!(numbers.take(&format).to_string(), "CDC24/002");
        assert_eq!(numbers.used(), 2);
    }

    #[test]
    fn a_series_without_year_has_no_year_in_its_numbers() {
        let format = NumberFormat::new("KF", false).unwrap();
        let issuer = IssuerId::parse("konfetti").unwrap();
        let now = Utc.with_ymd_and_hms(2024, 5, 2, 10, 0, 0).unwrap();
        let key = SeriesKey::for_issue(&issuer, &format, now);
        assert_eq!(key.year, None);
        assert_eq!(
            DocumentNumber::new(&format, &key, 1234).to_string(),
            "KF/1234"
        );
    }
}
