//! The issuer registry's entries: who issues an order's documents (the organiser, or the
//! platform invoicing on its behalf), configured once. Orders reference an issuer by id; each
//! document freezes the seller data of the issuer as it was when the document was issued, so
//! changing an issuer never changes an issued document.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::error::DomainError;
use crate::ids::{IssuerId, Text};
use crate::numbering::{NumberFormat, SeriesKey};
use crate::party::{Contact, PaymentAccount, PostalAddress, VatId, text};
use crate::time_zone::TimeZone;

/// Whether an issuer's prices are entered net (VAT added per rate) or gross (VAT contained;
/// consumer prices by law, PAngV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PriceEntry {
    Net,
    Gross,
}

impl PriceEntry {
    /// As the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            PriceEntry::Net => "net",
            PriceEntry::Gross => "gross",
        }
    }
}

/// How a cancelled option appears on the updated invoice (a per-issuer setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelledOptionPresentation {
    /// The option stays, with a negating cancellation line under it.
    CancellationLine,
    /// The option disappears from the updated invoice.
    Omit,
}

/// Which VAT a cancellation fee carries (a per-issuer setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeeVatMode {
    /// The fee is not taxed: a 0 % line (category E) noted as compensation for damages.
    None,
    /// The rate of the cancelled item; when the cancelled items carry several rates, split
    /// across them in proportion to what was paid at each (EuGH C-295/17), remainders to the
    /// highest rate.
    ItemRate,
    /// Split across the cancelled items' rates in proportion to what was paid at each
    /// (the same share of every rate's price), also for a single rate; remainders go to the
    /// highest rate.
    Proportional,
}

/// An issuer that charges no VAT (e.g. a small business under § 19 UStG), with the note every
/// document must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VatExemption {
    pub note: Text,
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

/// Lives with the issuer (not the numbering) so that numbering stays below the registry.
impl SeriesKey {
    /// The series a document `issuer` issues at `now` draws from: the issuer's prefix and,
    /// for yearly formats, the calendar year in the issuer's time zone.
    pub fn for_issue(issuer: &Issuer, now: DateTime<Utc>) -> Self {
        SeriesKey {
            issuer: issuer.id.clone(),
            prefix: issuer.numbers.prefix().to_owned(),
            year: issuer
                .numbers
                .is_yearly()
                .then(|| issuer.time_zone.year_of(now)),
        }
    }
}
