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
#[serde(rename_all = "snake_case")]
pub enum PriceEntry {
    Net,
    Gross,
}

/// An issuer that charges no VAT (e.g. a small business under § 19 UStG), with the note every
/// document must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VatExemption {
    pub note: Text,
}

/// An IANA time zone (`Europe/Berlin`): issue dates and yearly number series follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const BERLIN: TimeZone = TimeZone(chrono_tz::Europe::Berlin);

    pub fn parse(name: &str) -> Result<Self, DomainError> {
        name.parse::<chrono_tz::Tz>()
            .map(TimeZone)
            .map_err(|_| DomainError::InvalidParty {
                field: "time_zone",
                why: format!("{name:?} is not an IANA time zone such as Europe/Berlin"),
            })
    }

    /// The calendar date of `at` in this zone.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }

    /// The calendar year of `at` in this zone.
    pub fn year_of(&self, at: DateTime<Utc>) -> i32 {
        self.date_of(at).year()
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }
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
    /// Checks an issuer entry (system and staff only). A seller must be identifiable for tax:
    /// a VAT id or a tax number.
    pub fn new(id: IssuerId, new: NewIssuer, actor: &Actor) -> Result<Issuer, DomainError> {
        actor.require_operations("configure issuers")?;
        let vat_id = new.vat_id.as_deref().map(VatId::parse).transpose()?;
        let tax_number = new
            .tax_number
            .as_deref()
            .map(|t| text(t, "tax_number", 30))
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
