//! # storno-core
//!
//! Storno's pure domain: orders of attendee bookings and booking options, invoices with
//! versions and immutable documents, the three cancellation levels with their fees, rebooking
//! and partner cancellation, partner payouts and a double-entry ledger.
//!
//! Nothing here does I/O, reads a clock or knows about AWS. Every command is a function
//! `(&state, command, &Context) -> Result<Decision, DomainError>`: the [`Context`] carries the
//! time, the actor and the next free document number; the [`Decision`] carries the new state,
//! the documents issued, the balanced ledger posting and the follow-ups to run after commit.
//! A dry run is a decision that is shown and not recorded.

pub mod actor;
pub mod alternatives;
pub mod booking;
pub mod cancel;
pub mod command;
pub mod credit;
pub mod date_actions;
pub mod dates;
pub mod document;
pub mod error;
pub mod fee;
mod fee_vat;
pub mod followup;
pub mod german;
pub mod ids;
pub mod invoice;
pub mod issuer;
pub mod ledger;
pub mod line;
pub mod money;
pub mod numbering;
pub mod order;
pub mod partner;
pub mod partner_cancellation;
pub mod party;
pub mod party_values;
pub mod payout;
pub mod rate;
pub mod rebooking;
pub mod register;
pub mod terms;
pub mod time_zone;
pub mod vat;

pub use actor::Actor;
pub use cancel::{cancel_booking, cancel_invoice, cancel_option, update_invoice};
pub use command::{Context, Decision, NumbersUsed};
pub use credit::{
    CreditAccount, CreditEntry, CreditMovement, PaymentMethod, PaymentPart, credit_part,
};
pub use date_actions::{
    DateAction, act_on_date_order, bookings_on_date, date_action_staff, orders_to_act_on,
};
pub use dates::{DateTotals, EventDate, attendees_on, date_totals};
pub use document::{
    Document, DocumentHeader, DocumentKind, DocumentLine, InvoiceReference, LineKind, ServicePeriod,
};
pub use error::{DomainError, ErrorKind};
pub use fee::{FeeChoice, FeeQuote, FeeRule};
pub use followup::{Effect, FollowUp, Message};
pub use ids::*;
pub use invoice::{CANCELED_NOTE, InvoiceStatus};
pub use issuer::{
    CancelledOptionPresentation, FeeVatMode, Issuer, NewIssuer, PriceEntry, Seller, VatExemption,
};
pub use ledger::{Account, Posting};
pub use money::{Currency, Money};
pub use numbering::{DocumentNumber, NumberFormat, SeriesKey};
pub use order::{
    AttendeeBooking, BookedDate, BookingOption, BookingStatus, OptionStatus, Order, SalesChannel,
};
pub use partner::{DebitEntry, NewPartner, OpenPayable, Partner, PayoutStatement};
pub use partner_cancellation::{Resolution, report_cannot_run, resolve_partner_cancellation};
pub use party::{
    Contact, CountryCode, Iban, NewAddress, NewPaymentAccount, NewRecipient, PaymentAccount,
    PostalAddress, Recipient, VatId,
};
pub use payout::{
    HoldReason, PayoutHold, PayoutState, commission_reverse_charged, release_payout,
    release_payout_hold,
};
pub use rate::{Percentage, VatRate};
pub use rebooking::{
    Rebooking, answer_alternative_dates, decide_rebooking_request, propose_alternative_dates,
    rebook, request_rebooking, set_rebook_flag,
};
pub use register::{NewBooking, NewOption, NewOrder, register_order, require_order_registrar};
pub use terms::{CancellationTerms, FeeTier};
pub use time_zone::TimeZone;
pub use vat::{VatCategory, VatSummary};
