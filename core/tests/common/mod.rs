//! Fixtures shared by the core's tests: a Converia-style conference group order and a
//! konfetti-style course order, with the dates, actors and a document counter around them.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use storno_core::*;

pub fn eur(amount: Decimal) -> Money {
    Money::new(amount, Currency::EUR).unwrap()
}

pub fn vat(percent: Decimal) -> VatRate {
    VatRate::new(percent).unwrap()
}

pub fn pct(percent: Decimal) -> Percentage {
    Percentage::new(percent).unwrap()
}

pub fn id<T: TryFrom<String, Error = DomainError>>(value: &str) -> T {
    T::try_from(value.to_owned()).unwrap()
}

pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

pub fn staff() -> Actor {
    Actor::Staff(id("staff-1"))
}
pub fn partner() -> Actor {
    Actor::Partner(id("partner-1"))
}
pub fn other_partner() -> Actor {
    Actor::Partner(id("partner-2"))
}
pub fn customer() -> Actor {
    Actor::Customer(id("customer-1"))
}
pub fn other_customer() -> Actor {
    Actor::Customer(id("customer-2"))
}

/// The Converia terms: 100 % within 13 days, 50 % within 30 days, 25 EUR within 60 days.
pub fn converia_terms() -> CancellationTerms {
    CancellationTerms::new(
        vec![
            FeeTier {
                up_to_days_before: 13,
                percent: Some(Percentage::HUNDRED),
                fixed: None,
                cap: None,
            },
            FeeTier {
                up_to_days_before: 30,
                percent: Some(pct(dec!(50))),
                fixed: None,
                cap: None,
            },
            FeeTier {
                up_to_days_before: 60,
                percent: None,
                fixed: Some(eur(dec!(25))),
                cap: None,
            },
        ],
        Currency::EUR,
    )
    .unwrap()
}

/// The conference: 2025-06-10 to 2025-06-12.
pub fn conference() -> EventDate {
    date("conf-2025", "partner-1", at(2025, 6, 10), 3)
}

pub fn date(date_id: &str, partner_id: &str, starts: DateTime<Utc>, days: i64) -> EventDate {
    EventDate::new(
        id(date_id),
        id(partner_id),
        format!("Event {date_id}"),
        (
            starts,
            starts + Duration::days(days) - Duration::hours(1),
            storno_core::TimeZone::BERLIN,
        ),
        converia_terms(),
        &Actor::System,
    )
    .unwrap()
}

/// An issuer of the registry as the tests configure it.
pub fn an_issuer(
    issuer_id: &str,
    prefix: &str,
    yearly: bool,
    prices: PriceEntry,
    presentation: CancelledOptionPresentation,
    fee_vat: FeeVatMode,
) -> Issuer {
    let new: NewIssuer = serde_json::from_value(serde_json::json!({
        "legal_name": format!("{issuer_id} GmbH"),
        "address": {"street": "Musterstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "vat_id": "DE123456789",
        "tax_number": "30/123/45678",
        "contact": {"name": "Rechnungsstelle", "phone": "+49 30 1234567", "email": "billing@example.org"},
        "payment": {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": prefix, "yearly": yearly},
        "cancelled_options": presentation,
        "fee_vat": fee_vat,
        "prices": prices,
    }))
    .unwrap();
    Issuer::new(id(issuer_id), new, &Actor::System).unwrap()
}

/// The Converia-style organiser: prices net, yearly series `CDC`.
pub fn issuer(presentation: CancelledOptionPresentation, fee_vat: FeeVatMode) -> Issuer {
    an_issuer(
        "converia-demo",
        "CDC",
        true,
        PriceEntry::Net,
        presentation,
        fee_vat,
    )
}

/// The konfetti-style platform: prices gross, series `KF` without year.
pub fn konfetti_issuer() -> Issuer {
    an_issuer(
        "konfetti",
        "KF",
        false,
        PriceEntry::Gross,
        CancelledOptionPresentation::Omit,
        FeeVatMode::ItemRate,
    )
}

/// The recipient checkout names.
pub fn recipient() -> NewRecipient {
    serde_json::from_value(serde_json::json!({
        "name": "Erika Mustermann", "company": "Beispiel AG",
        "address": {"street": "Hauptstraße 5", "postal_code": "80331", "city": "München", "country": "DE"},
        "vat_id": "DE987654321", "buyer_reference": "04011000-12345-67", "email": "erika@example.org"
    }))
    .unwrap()
}

/// An order for registration with the issuer whose registry entry it names.
#[derive(Debug, Clone)]
pub struct Sale {
    pub order: NewOrder,
    pub issuer: Issuer,
}

impl Sale {
    pub fn new(order: NewOrder, issuer: Issuer) -> Sale {
        let mut order = order;
        order.issuer = issuer.id.clone();
        Sale { order, issuer }
    }

    /// Sells through another issuer.
    pub fn set_issuer(&mut self, issuer: Issuer) {
        self.order.issuer = issuer.id.clone();
        self.issuer = issuer;
    }
}

impl std::ops::Deref for Sale {
    type Target = NewOrder;
    fn deref(&self) -> &NewOrder {
        &self.order
    }
}

impl std::ops::DerefMut for Sale {
    fn deref_mut(&mut self) -> &mut NewOrder {
        &mut self.order
    }
}

pub fn option(option_id: &str, name: &str, price: Decimal, rate: Decimal) -> NewOption {
    NewOption {
        id: id(option_id),
        name: name.into(),
        unit_price: eur(price),
        quantity: 1,
        vat_rate: vat(rate),
        own_cancellation_fee: None,
        price_entry: None,
    }
}

pub fn booking(booking_id: &str, name: &str, date_id: &str, options: Vec<NewOption>) -> NewBooking {
    NewBooking {
        id: id(booking_id),
        attendee_name: name.into(),
        attendee_email: format!("{booking_id}@example.org"),
        date: id(date_id),
        options,
    }
}

/// Two attendees: Anna (pass 400.00 + workshop 100.00) and Ben (pass 400.00), all at 19 % VAT:
/// net 900.00, VAT 171.00, gross 1,071.00.
pub fn converia_order(issuer: Issuer) -> Sale {
    let order = NewOrder {
        id: id("order-1"),
        partner: id("partner-1"),
        customer: id("customer-1"),
        issuer: issuer.id.clone(),
        recipient: recipient(),
        channel: SalesChannel::Direct,
        currency: Currency::EUR,
        captured: eur(dec!(1071.00)),
        commission_rate: pct(dec!(23.8)),
        payout_delay_days: 14,
        payments: Vec::new(),
        bookings: vec![
            booking(
                "anna",
                "Anna Schmidt",
                "conf-2025",
                vec![
                    option("anna-pass", "Conference pass", dec!(400), dec!(19)),
                    option("anna-ws", "Workshop", dec!(100), dec!(19)),
                ],
            ),
            booking(
                "ben",
                "Ben Meyer",
                "conf-2025",
                vec![option("ben-pass", "Conference pass", dec!(400), dec!(19))],
            ),
        ],
    };
    Sale::new(order, issuer)
}

/// A course of 119.00 gross for one customer, sold directly by the konfetti-style platform.
pub fn course_order(channel: SalesChannel) -> Sale {
    let order = NewOrder {
        id: id("course-order"),
        partner: id("partner-1"),
        customer: id("customer-1"),
        issuer: id("konfetti"),
        recipient: recipient(),
        channel,
        currency: Currency::EUR,
        captured: eur(dec!(119.00)),
        commission_rate: pct(dec!(23.8)),
        payout_delay_days: 7,
        payments: Vec::new(),
        bookings: vec![booking(
            "guest",
            "Clara Vogel",
            "course-a",
            vec![option("seat", "Pasta course", dec!(119), dec!(19))],
        )],
    };
    Sale::new(order, konfetti_issuer())
}

/// The konfetti-style course order, registered on 1 February 2025 (course-a on 1 March).
pub fn course() -> World {
    World::register(
        course_order(SalesChannel::Direct),
        &course_dates(),
        at(2025, 2, 1),
    )
}

pub fn course_dates() -> Vec<EventDate> {
    vec![
        date("course-a", "partner-1", at(2025, 3, 1), 1),
        date("course-b", "partner-1", at(2025, 4, 5), 1),
        date("course-c", "partner-1", at(2025, 5, 3), 1),
        date("course-d", "partner-1", at(2025, 6, 7), 1),
        date("foreign", "partner-2", at(2025, 4, 6), 1),
    ]
}

/// Runs commands against one order and keeps the issuer's document counter, like the store.
pub struct World {
    pub order: Order,
    /// The order's issuer as the registry holds it.
    pub issuer: std::sync::Arc<Issuer>,
    /// The issuer's counters, one per series (issuer and year): the next free number.
    pub counters: std::collections::BTreeMap<SeriesKey, u32>,
    pub documents: Vec<std::sync::Arc<Document>>,
    pub postings: Vec<Posting>,
    /// The money follow-ups executed by the payment provider (refunds, transfers).
    pub executions: Vec<Vec<storno_core::ledger::LedgerEntry>>,
    pub followups: Vec<FollowUp>,
    pub partner_debit: Money,
    pub customer_credit: Money,
    /// The entries of the customer's credit account, as the store keeps them.
    pub credit_entries: Vec<storno_core::CreditEntry>,
    pub now: DateTime<Utc>,
}

impl World {
    pub fn register(sale: Sale, dates: &[EventDate], now: DateTime<Utc>) -> World {
        let issuer = std::sync::Arc::new(sale.issuer);
        let ctx = Context {
            now,
            actor: Actor::System,
            issuer: std::sync::Arc::clone(&issuer),
            next_document_seq: 1,
        };
        let decision = register_order(sale.order, dates, &ctx).expect("order registers");
        let mut world = World {
            order: decision.order.clone(),
            issuer,
            counters: Default::default(),
            documents: Vec::new(),
            postings: Vec::new(),
            executions: Vec::new(),
            followups: Vec::new(),
            partner_debit: eur(dec!(0)),
            customer_credit: eur(dec!(0)),
            credit_entries: Vec::new(),
            now,
        };
        world.record(decision);
        world
    }

    pub fn ctx(&self, actor: Actor) -> Context {
        let key = SeriesKey::for_issue(&self.issuer, self.now);
        Context {
            now: self.now,
            actor,
            issuer: std::sync::Arc::clone(&self.issuer),
            next_document_seq: self.counters.get(&key).copied().unwrap_or(1),
        }
    }

    /// Records a decision as the store would: advance the counter, keep everything issued.
    pub fn record(&mut self, decision: Decision) -> Decision {
        if let Some(numbers) = &decision.numbers {
            let next = self.counters.entry(numbers.series.clone()).or_insert(1);
            assert_eq!(
                numbers.first, *next,
                "numbers drawn from the counter's value"
            );
            *next += numbers.count;
        }
        self.order = decision.order.clone();
        self.documents.extend(decision.documents.iter().cloned());
        self.postings.extend(decision.posting.iter().cloned());
        self.followups.extend(decision.followups.iter().cloned());
        self.executions.extend(
            decision
                .followups
                .iter()
                .filter_map(|f| storno_core::ledger::executed(&f.effect)),
        );
        self.partner_debit = self.partner_debit + decision.partner_debit_change;
        self.customer_credit = self.customer_credit + decision.customer_credit_change;
        self.credit_entries
            .extend(decision.credit_entries.iter().cloned());
        decision
    }

    /// Runs a command as `actor` and records its decision.
    pub fn run(
        &mut self,
        actor: Actor,
        command: impl FnOnce(&Order, &Context) -> Result<Decision, DomainError>,
    ) -> Result<Decision, DomainError> {
        let ctx = self.ctx(actor);
        let decision = command(&self.order, &ctx)?;
        Ok(self.record(decision))
    }

    pub fn document(&self, number: &str) -> &Document {
        self.documents
            .iter()
            .find(|d| d.number.to_string() == number)
            .unwrap_or_else(|| panic!("no document {number}"))
    }

    pub fn newest_document(&self) -> &Document {
        self.documents.last().expect("documents issued")
    }

    /// The ledger balance of one account over this order's postings (natural direction).
    pub fn balance(&self, account: Account) -> Money {
        let booked = self.postings.iter().fold(eur(dec!(0)), |sum, p| {
            sum + p.effect_on(account, Currency::EUR)
        });
        self.executions
            .iter()
            .flatten()
            .filter(|e| e.account == account)
            .fold(booked, |sum, e| {
                let grows =
                    (e.side == storno_core::ledger::Side::Debit) == account.is_debit_normal();
                if grows {
                    sum + e.amount
                } else {
                    sum - e.amount
                }
            })
    }

    /// Σ invoices and fee invoices − Σ cancellation documents (cancellations are negative).
    pub fn documented_total(&self) -> Money {
        Money::sum(Currency::EUR, self.customer_documents().map(|d| &d.payable))
    }

    /// The documents addressed to the customer (not the platform's commission invoices).
    pub fn customer_documents(&self) -> impl Iterator<Item = &std::sync::Arc<Document>> {
        self.documents.iter().filter(|d| !d.kind.is_partners())
    }

    /// The commission booked on the ledger: not yet invoiced, and invoiced (revenue and VAT).
    pub fn commission_booked(&self) -> Money {
        let vat_rates: std::collections::BTreeSet<VatRate> = self
            .postings
            .iter()
            .flat_map(|p| &p.entries)
            .filter_map(|e| match e.account {
                Account::CommissionVat(rate) => Some(rate),
                _ => None,
            })
            .collect();
        vat_rates.into_iter().fold(
            self.balance(Account::PlatformCommission) + self.balance(Account::CommissionRevenue),
            |sum, rate| sum + self.balance(Account::CommissionVat(rate)),
        )
    }

    pub fn refunds(&self) -> Money {
        Money::sum(Currency::EUR, refunds(&self.followups).iter())
    }

    pub fn transfers(&self) -> Money {
        Money::sum(Currency::EUR, transfers(&self.followups).iter())
    }
}

/// The refunds among follow-ups.
pub fn refunds(followups: &[FollowUp]) -> Vec<Money> {
    followups
        .iter()
        .filter_map(|f| match &f.effect {
            Effect::Refund { amount, .. } => Some(*amount),
            _ => None,
        })
        .collect()
}

/// The payout transfers among follow-ups.
pub fn transfers(followups: &[FollowUp]) -> Vec<Money> {
    followups
        .iter()
        .filter_map(|f| match &f.effect {
            Effect::TransferPayout { amount, .. } => Some(*amount),
            _ => None,
        })
        .collect()
}

/// partner-1 as the partner registry holds it: the recipient of commission invoices.
pub fn billed_partner() -> Partner {
    let billing: NewRecipient = serde_json::from_value(serde_json::json!({
        "name": "Kochschule Sonnenschein", "company": "Sonnenschein GmbH",
        "address": {"street": "Am Markt 3", "postal_code": "50667", "city": "Köln", "country": "DE"},
        "vat_id": "DE811111111", "email": "buchhaltung@sonnenschein.example"
    }))
    .unwrap();
    Partner::new(id("partner-1"), NewPartner { billing }, &Actor::System).unwrap()
}
