//! Stored parties: addresses, recipients, sellers and issuers of the registry.

use serde::{Deserialize, Serialize};
use storno_core::{
    CancelledOptionPresentation, Contact, CountryCode, FeeVatMode, Iban, Issuer, IssuerId,
    PaymentAccount, PostalAddress, PriceEntry, Recipient, Seller, TimeZone, VatExemption, VatId,
    numbering::NumberFormat,
};

use super::{RECORD_VERSION, invalid};
use crate::app::StoreError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AddressRecord {
    street: String,
    #[serde(default)]
    additional: Option<String>,
    postal_code: String,
    city: String,
    country: String,
}

impl From<&PostalAddress> for AddressRecord {
    fn from(a: &PostalAddress) -> Self {
        AddressRecord {
            street: a.street.to_string(),
            additional: a.additional.as_deref().map(str::to_owned),
            postal_code: a.postal_code.to_string(),
            city: a.city.to_string(),
            country: a.country.to_string(),
        }
    }
}

impl AddressRecord {
    fn into_domain(self) -> Result<PostalAddress, StoreError> {
        Ok(PostalAddress {
            street: self.street.into(),
            additional: self.additional.map(Into::into),
            postal_code: self.postal_code.into(),
            city: self.city.into(),
            country: CountryCode::parse(&self.country).map_err(invalid)?,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecipientRecord {
    name: String,
    #[serde(default)]
    company: Option<String>,
    address: AddressRecord,
    #[serde(default)]
    vat_id: Option<String>,
    #[serde(default)]
    buyer_reference: Option<String>,
    email: String,
}

impl From<&Recipient> for RecipientRecord {
    fn from(r: &Recipient) -> Self {
        RecipientRecord {
            name: r.name.to_string(),
            company: r.company.as_deref().map(str::to_owned),
            address: (&r.address).into(),
            vat_id: r.vat_id.as_ref().map(VatId::to_string),
            buyer_reference: r.buyer_reference.as_deref().map(str::to_owned),
            email: r.email.to_string(),
        }
    }
}

impl RecipientRecord {
    pub fn into_domain(self) -> Result<Recipient, StoreError> {
        Ok(Recipient {
            name: self.name.into(),
            company: self.company.map(Into::into),
            address: self.address.into_domain()?,
            vat_id: self
                .vat_id
                .as_deref()
                .map(VatId::parse)
                .transpose()
                .map_err(invalid)?,
            buyer_reference: self.buyer_reference.map(Into::into),
            email: self.email.into(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactRecord {
    name: String,
    phone: String,
    email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountRecord {
    iban: String,
    #[serde(default)]
    bic: Option<String>,
    #[serde(default)]
    holder: Option<String>,
}

impl From<&PaymentAccount> for AccountRecord {
    fn from(p: &PaymentAccount) -> Self {
        AccountRecord {
            iban: p.iban.as_str().to_owned(),
            bic: p.bic.as_deref().map(str::to_owned),
            holder: p.holder.as_deref().map(str::to_owned),
        }
    }
}

impl AccountRecord {
    fn into_domain(self) -> Result<PaymentAccount, StoreError> {
        Ok(PaymentAccount {
            iban: Iban::parse(&self.iban).map_err(invalid)?,
            bic: self.bic.map(Into::into),
            holder: self.holder.map(Into::into),
        })
    }
}

fn contact(c: &Contact) -> ContactRecord {
    ContactRecord {
        name: c.name.to_string(),
        phone: c.phone.to_string(),
        email: c.email.to_string(),
    }
}

impl ContactRecord {
    fn into_domain(self) -> Contact {
        Contact {
            name: self.name.into(),
            phone: self.phone.into(),
            email: self.email.into(),
        }
    }
}

/// The seller as a document froze it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SellerRecord {
    issuer: IssuerId,
    legal_name: String,
    address: AddressRecord,
    #[serde(default)]
    vat_id: Option<String>,
    #[serde(default)]
    tax_number: Option<String>,
    contact: ContactRecord,
    payment: AccountRecord,
    #[serde(default)]
    vat_exemption: Option<String>,
}

impl From<&Seller> for SellerRecord {
    fn from(s: &Seller) -> Self {
        SellerRecord {
            issuer: s.issuer.clone(),
            legal_name: s.legal_name.to_string(),
            address: (&s.address).into(),
            vat_id: s.vat_id.as_ref().map(VatId::to_string),
            tax_number: s.tax_number.as_deref().map(str::to_owned),
            contact: contact(&s.contact),
            payment: (&s.payment).into(),
            vat_exemption: s.vat_exemption.as_deref().map(str::to_owned),
        }
    }
}

impl SellerRecord {
    pub fn into_domain(self) -> Result<Seller, StoreError> {
        Ok(Seller {
            issuer: self.issuer,
            legal_name: self.legal_name.into(),
            address: self.address.into_domain()?,
            vat_id: self
                .vat_id
                .as_deref()
                .map(VatId::parse)
                .transpose()
                .map_err(invalid)?,
            tax_number: self.tax_number.map(Into::into),
            contact: self.contact.into_domain(),
            payment: self.payment.into_domain()?,
            vat_exemption: self.vat_exemption.map(Into::into),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NumbersRecord {
    prefix: String,
    yearly: bool,
    #[serde(default = "three")]
    digits: u8,
}

fn three() -> u8 {
    3
}

/// An issuer of the registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuerRecord {
    rv: u32,
    id: IssuerId,
    seller: SellerRecord,
    time_zone: String,
    numbers: NumbersRecord,
    cancelled_options: CancelledOptionPresentation,
    fee_vat: FeeVatMode,
    prices: PriceEntry,
}

impl From<&Issuer> for IssuerRecord {
    fn from(i: &Issuer) -> Self {
        IssuerRecord {
            rv: RECORD_VERSION,
            id: i.id.clone(),
            seller: (&i.seller()).into(),
            time_zone: i.time_zone.name().to_owned(),
            numbers: NumbersRecord {
                prefix: i.numbers.prefix().to_owned(),
                yearly: i.numbers.is_yearly(),
                digits: i.numbers.digits(),
            },
            cancelled_options: i.cancelled_options,
            fee_vat: i.fee_vat,
            prices: i.prices,
        }
    }
}

impl IssuerRecord {
    pub fn into_domain(self) -> Result<Issuer, StoreError> {
        let seller = self.seller.into_domain()?;
        Ok(Issuer {
            id: self.id,
            legal_name: seller.legal_name,
            address: seller.address,
            vat_id: seller.vat_id,
            tax_number: seller.tax_number,
            contact: seller.contact,
            payment: seller.payment,
            time_zone: TimeZone::parse(&self.time_zone).map_err(invalid)?,
            numbers: NumberFormat::with_digits(
                self.numbers.prefix,
                self.numbers.yearly,
                self.numbers.digits,
            )
            .map_err(invalid)?,
            cancelled_options: self.cancelled_options,
            fee_vat: self.fee_vat,
            prices: self.prices,
            vat_exemption: seller.vat_exemption.map(|note| VatExemption { note }),
        })
    }
}
