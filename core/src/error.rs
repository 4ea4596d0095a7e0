//! Refusals of the domain. Each has a stable machine `code` and a sentence a person understands;
//! the HTTP layer maps [`DomainError::kind`] to a status and never writes its own text.

use thiserror::Error;

/// How a refusal should be treated by whoever called the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input itself is malformed or out of range (HTTP 400).
    InvalidInput,
    /// The caller's role may never do this (HTTP 403).
    Forbidden,
    /// Unknown, or owned by someone else: never reveal which (HTTP 404).
    NotFound,
    /// The object is in a state where this cannot happen (HTTP 409).
    Conflict,
    /// A business rule refuses it; `detail` names the rule (HTTP 422).
    RuleRefused,
    /// The caller decided on an older version of the object than there is now (HTTP 412).
    Stale,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    // --- input ---
    #[error(
        "{value:?} is not a valid {kind} id: use 1 to 64 characters of A-Z, a-z, 0-9, '-', '_' or '.'"
    )]
    InvalidId { kind: &'static str, value: String },
    #[error("{0:?} is not a currency Storno handles (use an ISO 4217 code such as EUR)")]
    UnknownCurrency(String),
    #[error("{amount} has more decimal places than {currency} allows")]
    AmountTooPrecise { amount: String, currency: String },
    #[error("{0} is not a percentage between 0 and 100 with at most four decimal places")]
    InvalidPercentage(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("the amount is in {given}, but {expected} is expected here")]
    CurrencyMismatch { expected: String, given: String },
    #[error("{field}: {why}")]
    InvalidParty { field: &'static str, why: String },
    #[error("the recipient needs a postal address: documents are addressed to it")]
    RecipientAddressMissing,

    // --- who may do it ---
    #[error("{role} may not {action}")]
    Forbidden {
        role: &'static str,
        action: &'static str,
    },
    #[error("{0} not found")]
    NotFound(&'static str),

    // --- state ---
    #[error("the invoice is cancelled; nothing on it can change any more")]
    InvoiceCancelled,
    #[error("the invoice has no pending changes to issue a new version for")]
    NothingToUpdate,
    #[error("this attendee booking is already cancelled")]
    BookingAlreadyCancelled,
    #[error("this booking option is already cancelled")]
    OptionAlreadyCancelled,
    #[error("the payout for this order was already released")]
    PayoutAlreadyReleased,
    #[error("the rebook flag is already {}", if *.0 { "on" } else { "off" })]
    RebookFlagUnchanged(bool),
    #[error("this rebooking request was already decided")]
    RequestAlreadyDecided,
    #[error("the partner already reported that this course cannot run")]
    PartnerCancellationAlreadyReported,
    #[error("no partner cancellation is open for this order")]
    NoPartnerCancellation,
    #[error("the partner cancellation of this order is already resolved")]
    PartnerCancellationResolved,
    #[error("no alternative dates are waiting for the customer's answer")]
    NoAlternativeDatesOpen,
    #[error(
        "the partner reported that this course cannot run; resolve that with the customer first"
    )]
    PartnerCancellationOpen,
    #[error("the date is already {}", if *.0 { "active" } else { "inactive" })]
    DateActivationUnchanged(bool),
    #[error("the document number prefix {prefix} belongs to issuer {issuer}")]
    PrefixTaken { prefix: String, issuer: String },
    #[error(
        "the numbers of prefix {prefix} are printed with {digits} digits: a series keeps its width (use a new prefix for another width)"
    )]
    NumberWidthFixed { prefix: String, digits: u8 },

    // --- business rules ---
    #[error(
        "orders sold through private event sales follow their own terms; this flow does not apply to them"
    )]
    PrivateEventOrder,
    #[error("customers cannot cancel; they may request a rebooking instead")]
    CustomersCannotCancel,
    #[error("a refund is only possible once the customer declined both a rebooking and a credit")]
    RefundBeforeRebookingAndCreditDeclined,
    #[error("a credit can only be offered once the customer declined a rebooking")]
    CreditBeforeRebookingDeclined,
    #[error("the customer already declined a credit")]
    CreditAlreadyDeclined,
    #[error("the course has already taken place")]
    CourseAlreadyHeld,
    #[error("the target date is inactive and takes no bookings or rebookings")]
    DateInactive,
    #[error("the target date belongs to another partner")]
    DateOfAnotherPartner,
    #[error("the target date has already started")]
    DateInThePast,
    #[error("the bookings are already on that date")]
    SameDate,
    #[error("a partner may propose one to three alternative dates, all different")]
    AlternativeDatesCount,
    #[error("the chosen date is not one of the proposed alternatives")]
    NotAProposedDate,
    #[error("the order has no option with its own cancellation fee")]
    NoOwnCancellationFee,
    #[error("an individual fee needs a reason")]
    FeeReasonMissing,
    #[error("the fee of {fee} would exceed the {paid} paid for what is cancelled")]
    FeeExceedsPaid { fee: String, paid: String },
    #[error("the payment captured ({captured}) does not match the invoice total ({invoice})")]
    CaptureMismatch { captured: String, invoice: String },
    #[error("the order has no bookings")]
    NoBookings,
    #[error("issuer {0} is not in the issuer registry")]
    UnknownIssuer(String),
    #[error(
        "option {option} states its price the other way than the issuer enters prices ({issuer})"
    )]
    PriceEntryMismatch {
        option: String,
        /// How the issuer enters prices: "net" or "gross".
        issuer: &'static str,
    },
    #[error("option {0} carries VAT, but the issuer is exempt from VAT")]
    VatOnExemptIssuer(String),
    #[error("the payout is paused while the rebook flag is on or an approved rebooking is pending")]
    PayoutPaused,
    #[error(
        "the booked date passed under the rebook flag: staff release the payout once the course ran"
    )]
    PayoutHeld,
    #[error(
        "the invoice is being changed: the payout waits for its new version (update the invoice)"
    )]
    PayoutAwaitsInvoice,
    #[error("this order's payout is not held")]
    NoPayoutHold,
    #[error("an offer of alternative dates is open; wait for the customer's answer")]
    AlternativeDatesOpen,
    #[error(
        "orders sold through private event sales follow their own terms: choose no fee or an individual fee"
    )]
    PrivateEventTerms,
    #[error("the payout is withheld because the partner reported that the course cannot run")]
    PayoutWithheld,
    #[error("the payout is not due yet")]
    PayoutNotDue,
    #[error("nothing is left to pay out for this order")]
    NothingToPayOut,
    #[error("there is already an open rebooking request for this order")]
    RebookingRequestOpen,
    #[error("this rebooking request was not approved by the partner")]
    RequestNotApproved,
    #[error("the order is fully cancelled")]
    OrderCancelled,
    #[error("the date has no valid bookings on this order")]
    NotOnThisDate,
    #[error("the customer has no credit to pay out")]
    NoCredit,
    #[error("{wanted} of credit is more than the customer's balance of {balance}")]
    InsufficientCredit { wanted: String, balance: String },
    #[error("order ids starting with '_' are reserved for Storno's own account streams")]
    ReservedOrderId,
    #[error(
        "partner {0} has no billing data in the partner registry: commission invoices are addressed to it"
    )]
    PartnerBillingMissing(String),
    #[error(
        "the platform's issuer {0} is not in the issuer registry: it issues the commission invoices"
    )]
    PlatformIssuerMissing(String),
    #[error(
        "the request was made for version {expected} of the order, but it is at version {actual} now"
    )]
    VersionMismatch { expected: u64, actual: u64 },
}

impl DomainError {
    /// The stable machine code clients switch on. Never change a published code. (One arm
    /// per refusal: longer than a function should be, and read as the catalogue it is.)
    pub fn code(&self) -> &'static str {
        use DomainError::*;
        match self {
            InvalidId { .. } => "invalid_id",
            UnknownCurrency(_) => "unknown_currency",
            AmountTooPrecise { .. } => "amount_too_precise",
            InvalidPercentage(_) => "invalid_percentage",
            InvalidInput(_) => "invalid_input",
            CurrencyMismatch { .. } => "currency_mismatch",
            InvalidParty { field, .. } => party_code(field),
            RecipientAddressMissing => "recipient_address_missing",
            PrefixTaken { .. } => "prefix_taken",
            NumberWidthFixed { .. } => "number_width_fixed",
            UnknownIssuer(_) => "unknown_issuer",
            PriceEntryMismatch { .. } => "price_entry_mismatch",
            VatOnExemptIssuer(_) => "vat_on_exempt_issuer",
            Forbidden { .. } => "forbidden",
            NotFound(_) => "not_found",
            InvoiceCancelled => "invoice_cancelled",
            NothingToUpdate => "nothing_to_update",
            BookingAlreadyCancelled => "booking_already_cancelled",
            OptionAlreadyCancelled => "option_already_cancelled",
            PayoutAlreadyReleased => "payout_already_released",
            RebookFlagUnchanged(_) => "rebook_flag_unchanged",
            RequestAlreadyDecided => "rebooking_request_already_decided",
            PartnerCancellationAlreadyReported => "partner_cancellation_already_reported",
            NoPartnerCancellation => "no_partner_cancellation",
            PartnerCancellationResolved => "partner_cancellation_resolved",
            NoAlternativeDatesOpen => "no_alternative_dates_open",
            PartnerCancellationOpen => "partner_cancellation_open",
            CreditAlreadyDeclined => "credit_already_declined",
            CourseAlreadyHeld => "course_already_held",
            DateActivationUnchanged(_) => "date_activation_unchanged",
            PrivateEventOrder => "private_event_order",
            CustomersCannotCancel => "customers_cannot_cancel",
            RefundBeforeRebookingAndCreditDeclined => "refund_before_rebooking_and_credit_declined",
            CreditBeforeRebookingDeclined => "credit_before_rebooking_declined",
            DateInactive => "date_inactive",
            DateOfAnotherPartner => "date_of_another_partner",
            DateInThePast => "date_in_the_past",
            SameDate => "same_date",
            AlternativeDatesCount => "alternative_dates_count",
            NotAProposedDate => "not_a_proposed_date",
            NoOwnCancellationFee => "no_own_cancellation_fee",
            FeeReasonMissing => "fee_reason_missing",
            FeeExceedsPaid { .. } => "fee_exceeds_paid",
            CaptureMismatch { .. } => "capture_mismatch",
            NoBookings => "no_bookings",
            PayoutPaused => "payout_paused",
            PayoutHeld => "payout_held",
            PayoutAwaitsInvoice => "payout_awaits_invoice",
            NoPayoutHold => "no_payout_hold",
            AlternativeDatesOpen => "alternative_dates_open",
            PrivateEventTerms => "private_event_terms",
            PayoutWithheld => "payout_withheld",
            PayoutNotDue => "payout_not_due",
            NothingToPayOut => "nothing_to_pay_out",
            RebookingRequestOpen => "rebooking_request_open",
            RequestNotApproved => "rebooking_request_not_approved",
            OrderCancelled => "order_cancelled",
            NotOnThisDate => "not_on_this_date",
            NoCredit => "no_credit",
            InsufficientCredit { .. } => "insufficient_credit",
            ReservedOrderId => "reserved_order_id",
            PartnerBillingMissing(_) => "partner_billing_missing",
            PlatformIssuerMissing(_) => "platform_issuer_missing",
            VersionMismatch { .. } => "version_mismatch",
        }
    }

    /// The caller acted on `expected` (an `If-Match`), the order is at `actual`.
    pub fn require_version(actual: u64, expected: Option<u64>) -> Result<(), DomainError> {
        match expected {
            Some(expected) if expected != actual => {
                Err(DomainError::VersionMismatch { expected, actual })
            }
            _ => Ok(()),
        }
    }

    /// How the refusal maps to a response.
    pub fn kind(&self) -> ErrorKind {
        use DomainError::*;
        match self {
            InvalidId { .. }
            | UnknownCurrency(_)
            | AmountTooPrecise { .. }
            | InvalidPercentage(_)
            | InvalidInput(_)
            | CurrencyMismatch { .. }
            | InvalidParty { .. }
            | RecipientAddressMissing
            | ReservedOrderId => ErrorKind::InvalidInput,
            Forbidden { .. } | CustomersCannotCancel => ErrorKind::Forbidden,
            NotFound(_) => ErrorKind::NotFound,
            InvoiceCancelled
            | NothingToUpdate
            | BookingAlreadyCancelled
            | OptionAlreadyCancelled
            | PayoutAlreadyReleased
            | RebookFlagUnchanged(_)
            | RequestAlreadyDecided
            | PartnerCancellationAlreadyReported
            | NoPartnerCancellation
            | PartnerCancellationResolved
            | NoAlternativeDatesOpen
            | PartnerCancellationOpen
            | DateActivationUnchanged(_)
            | PrefixTaken { .. }
            | NumberWidthFixed { .. }
            | NoPayoutHold
            | AlternativeDatesOpen
            | OrderCancelled => ErrorKind::Conflict,
            VersionMismatch { .. } => ErrorKind::Stale,
            _ => ErrorKind::RuleRefused,
        }
    }
}

/// The code of a refused party field: one per kind of field.
fn party_code(field: &str) -> &'static str {
    let last = field.rsplit('.').next().unwrap_or(field);
    match last {
        "vat_id" => "invalid_vat_id",
        "tax_number" => "invalid_tax_number",
        "country" => "invalid_country",
        "iban" => "invalid_iban",
        "bic" => "invalid_bic",
        "time_zone" => "invalid_time_zone",
        "email" => "invalid_email",
        "phone" => "invalid_phone",
        _ => "invalid_party",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_snake_case_code_and_a_sentence() {
        let samples = [
            DomainError::PrivateEventOrder,
            DomainError::RefundBeforeRebookingAndCreditDeclined,
            DomainError::Forbidden {
                role: "a customer",
                action: "cancel an order",
            },
            DomainError::NotFound("order"),
        ];
        for error in samples {
            assert!(
                error
                    .code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert!(error.to_string().len() > 10, "{error}");
        }
    }
}
