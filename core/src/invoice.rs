//! The invoice's life: `issued` → (first change) → `editing` → (update) → `issued` as a new
//! version; `issued | editing` → (cancel) → `cancelled`.
//!
//! The cancellation document for the current version is issued at the first change, so while
//! editing the customer's newest document is that cancellation. Several changes while editing
//! produce one new version.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::command::Context;
use crate::document::{
    AttendeeEntry, Document, DocumentHeader, DocumentKind, DocumentLine, LineKind,
};
use crate::error::DomainError;
use crate::issuer::CancelledOptionPresentation;
use crate::issuer::{Issuer, PriceEntry};
use crate::numbering::NumberAllocator;
use crate::order::{AttendeeBooking, Order};

/// The note placed after a cancelled attendee's name.
pub const CANCELED_NOTE: &str = "canceled";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Issued,
    Editing,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Invoice {
    pub status: InvoiceStatus,
    /// The newest invoice version issued (already negated while editing or cancelled).
    /// Shared, not copied: an issued document never changes.
    pub current: Arc<Document>,
}

impl Order {
    /// The header of a document issued now by `issuer`.
    pub(crate) fn document_header(&self, issuer: &Issuer) -> DocumentHeader {
        DocumentHeader {
            order: self.id.clone(),
            customer: self.customer.clone(),
            seller: issuer.seller(),
            recipient: self.recipient.clone(),
            currency: self.currency,
            prices: self.prices,
        }
    }

    /// The invoice's attendees and lines as the order stands now, cancelled options presented
    /// as `issuer` wants them.
    pub fn invoice_content(&self, issuer: &Issuer) -> (Vec<AttendeeEntry>, Vec<DocumentLine>) {
        invoice_content(
            &self.bookings,
            &self.fees,
            issuer.cancelled_options,
            self.prices,
        )
    }

    /// Call before any change to bookings or options: on the first change the current version
    /// is cancelled at once and the invoice moves to `editing`.
    pub(crate) fn begin_invoice_change(
        &mut self,
        numbers: &mut NumberAllocator,
        ctx: &Context,
    ) -> Result<Option<Document>, DomainError> {
        match self.invoice.status {
            InvoiceStatus::Cancelled => Err(DomainError::InvoiceCancelled),
            InvoiceStatus::Editing => Ok(None),
            InvoiceStatus::Issued => {
                let cancellation = self.invoice.current.cancellation(
                    numbers.take(&ctx.issuer.numbers),
                    ctx.issuer.seller(),
                    ctx.now,
                    ctx.issue_date(),
                );
                self.invoice.status = InvoiceStatus::Editing;
                Ok(Some(cancellation))
            }
        }
    }

    /// Issues the next invoice version from the current state (update-invoice).
    pub(crate) fn issue_next_version(
        &mut self,
        ctx: &Context,
    ) -> Result<Arc<Document>, DomainError> {
        match self.invoice.status {
            InvoiceStatus::Cancelled => return Err(DomainError::InvoiceCancelled),
            InvoiceStatus::Issued => return Err(DomainError::NothingToUpdate),
            InvoiceStatus::Editing => {}
        }
        let previous = &self.invoice.current;
        let version = match previous.kind {
            DocumentKind::Invoice { version, .. } => version + 1,
            _ => unreachable!("the current invoice is always an invoice version"),
        };
        let (attendees, lines) = self.invoice_content(&ctx.issuer);
        let document = Arc::new(Document::new(
            previous.number.with_version(version),
            DocumentKind::Invoice {
                version,
                replaces: Some(previous.reference()),
            },
            self.document_header(&ctx.issuer),
            ctx.now,
            ctx.issue_date(),
            attendees,
            lines,
        ));
        self.invoice = Invoice {
            status: InvoiceStatus::Issued,
            current: Arc::clone(&document),
        };
        Ok(document)
    }

    /// Cancels the invoice as a whole: its cancellation document (unless the first change
    /// already issued it) and, if fees were charged, a fee invoice of its own.
    pub(crate) fn cancel_whole_invoice(
        &mut self,
        numbers: &mut NumberAllocator,
        ctx: &Context,
    ) -> Result<Vec<Document>, DomainError> {
        let mut documents: Vec<Document> = self
            .begin_invoice_change(numbers, ctx)?
            .into_iter()
            .collect();
        if !self.fees.is_empty() {
            documents.push(Document::new(
                numbers.take(&ctx.issuer.numbers),
                DocumentKind::FeeInvoice {
                    after_cancelled: self.invoice.current.reference(),
                },
                self.document_header(&ctx.issuer),
                ctx.now,
                ctx.issue_date(),
                Vec::new(),
                self.fees.clone(),
            ));
        }
        self.invoice.status = InvoiceStatus::Cancelled;
        Ok(documents)
    }
}

/// An invoice's attendees and lines: valid options, cancelled ones as the issuer presents them,
/// cancelled people noted "canceled", and every fee charged.
pub(crate) fn invoice_content(
    bookings: &[AttendeeBooking],
    fees: &[DocumentLine],
    presentation: CancelledOptionPresentation,
    prices: PriceEntry,
) -> (Vec<AttendeeEntry>, Vec<DocumentLine>) {
    let mut attendees = Vec::with_capacity(bookings.len());
    let mut lines = Vec::with_capacity(bookings.len() * 3 + fees.len());
    for booking in bookings {
        attendees.push(AttendeeEntry {
            booking: booking.id.clone(),
            name: booking.attendee_name.clone(),
            note: (!booking.is_valid()).then(|| CANCELED_NOTE.to_owned()),
        });
        for option in &booking.options {
            if option.is_active() {
                lines.push(option.line(booking, prices));
            } else if presentation == CancelledOptionPresentation::CancellationLine {
                let line = option.line(booking, prices);
                let cancellation = DocumentLine {
                    kind: LineKind::CancelledItem,
                    description: format!("Storno: {}", line.description).into(),
                    ..line.negated()
                };
                lines.push(line);
                lines.push(cancellation);
            }
        }
    }
    lines.extend(fees.iter().cloned());
    (attendees, lines)
}
