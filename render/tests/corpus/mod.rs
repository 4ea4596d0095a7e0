//! Documents of the end-to-end stories, issued by the core as they are in production: the
//! Converia story (net, versions, cancellation documents of v1 and v2, fee invoice), the
//! konfetti story (gross, cancellation lines omitted), mixed 7 %/19 %, a VAT-exempt small
//! business, a Swiss franc order, the platform's commission invoice and a 1,000-attendee
//! invoice.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use storno_core::*;

pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

fn id<T: TryFrom<String, Error = DomainError>>(value: &str) -> T {
    T::try_from(value.to_owned()).unwrap()
}

/// One sale's life, recorded as the store would.
pub struct Story {
    pub order: Order,
    issuer: Arc<Issuer>,
    next: std::collections::BTreeMap<SeriesKey, u32>,
    pub documents: Vec<Arc<Document>>,
    pub now: DateTime<Utc>,
}

impl Story {
    fn ctx_for(&self, issuer: &Arc<Issuer>, actor: Actor) -> Context {
        let key = SeriesKey::for_issue(issuer, self.now);
        Context {
            now: self.now,
            actor,
            issuer: Arc::clone(issuer),
            next_document_seq: self.next.get(&key).copied().unwrap_or(1),
        }
    }

    fn record(&mut self, decision: Decision) {
        if let Some(numbers) = &decision.numbers {
            self.next
                .insert(numbers.series.clone(), numbers.first + numbers.count);
        }
        self.documents.extend(decision.documents.iter().cloned());
        self.order = decision.order;
    }

    pub fn register(
        new: NewOrder,
        issuer: Issuer,
        dates: &[EventDate],
        now: DateTime<Utc>,
    ) -> Story {
        let issuer = Arc::new(issuer);
        let ctx = Context {
            now,
            actor: Actor::System,
            issuer: Arc::clone(&issuer),
            next_document_seq: 1,
        };
        let decision = register_order(new, dates, &ctx).expect("the order registers");
        let mut story = Story {
            order: decision.order.clone(),
            issuer,
            next: Default::default(),
            documents: Vec::new(),
            now,
        };
        story.record(decision);
        story
    }

    /// Runs a staff command on the order.
    pub fn staff(
        &mut self,
        command: impl FnOnce(&Order, &Context) -> Result<Decision, DomainError>,
    ) {
        let ctx = self.ctx_for(&self.issuer.clone(), Actor::Staff(id("staff-1")));
        let decision = command(&self.order, &ctx).expect("the command is accepted");
        self.record(decision);
    }

    /// Releases the payout with the platform's commission invoice.
    pub fn release(&mut self, platform: Issuer, partner: &Partner) {
        let platform = Arc::new(platform);
        let ctx = self.ctx_for(&platform, Actor::System);
        let decision = release_payout(&self.order, Money::zero(self.order.currency), partner, &ctx)
            .expect("the payout is released");
        self.record(decision);
    }
}

pub fn issuer(
    issuer_id: &str,
    prefix: &str,
    prices: &str,
    presentation: &str,
    exempt: bool,
) -> Issuer {
    let entry = issuer_entry(issuer_id, prefix, prices, presentation, exempt);
    let new: NewIssuer = serde_json::from_value(entry).unwrap();
    Issuer::new(id(issuer_id), new, &Actor::System).unwrap()
}

/// The registry entry of [`issuer`], as JSON.
pub fn issuer_entry(
    issuer_id: &str,
    prefix: &str,
    prices: &str,
    presentation: &str,
    exempt: bool,
) -> serde_json::Value {
    let mut entry = json!({
        "legal_name": format!("{issuer_id} GmbH"),
        "address": {"street": "Friedrichstraße 123", "postal_code": "10117", "city": "Berlin", "country": "DE"},
        "vat_id": "DE812345678",
        "tax_number": "37/123/45678",
        "contact": {"name": "Team Rechnungswesen", "phone": "+49 30 5550100", "email": "rechnung@example.org"},
        "payment": {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": prefix, "yearly": true},
        "cancelled_options": presentation,
        "fee_vat": "item_rate",
        "prices": prices,
    });
    if exempt {
        entry["vat_id"] = json!(null);
        entry["legal_name"] = json!("Kleine Kochschule Erika Muster");
        entry["vat_exemption"] =
            json!({"note": "Kein Ausweis von Umsatzsteuer, da Kleinunternehmer gemäß § 19 UStG"});
    }
    entry
}

fn recipient(buyer_reference: Option<&str>) -> serde_json::Value {
    json!({
        "name": "Erika Mustermann", "company": "Beispiel AG",
        "address": {"street": "Hauptstraße 5", "postal_code": "80331", "city": "München", "country": "DE"},
        "vat_id": "DE987654321", "buyer_reference": buyer_reference, "email": "einkauf@beispiel-ag.example"
    })
}

fn terms(currency: &str) -> serde_json::Value {
    json!({"tiers": [
        {"up_to_days_before": 13, "percent": "100"},
        {"up_to_days_before": 30, "percent": "50"},
        {"up_to_days_before": 60, "fixed": {"amount": "25.00", "currency": currency}},
    ]})
}

pub fn date(date_id: &str, starts: DateTime<Utc>, days: i64, currency: &str) -> EventDate {
    let terms: CancellationTerms = serde_json::from_value(terms(currency)).unwrap();
    EventDate::new(
        id(date_id),
        id("partner-1"),
        format!("Event {date_id}"),
        (
            starts,
            starts + Duration::days(days) - Duration::hours(1),
            storno_core::TimeZone::BERLIN,
        ),
        terms,
        &Actor::System,
    )
    .unwrap()
}

fn option(
    option_id: &str,
    name: &str,
    price: &str,
    rate: &str,
    currency: &str,
) -> serde_json::Value {
    json!({"id": option_id, "name": name, "unit_price": {"amount": price, "currency": currency},
           "quantity": 1, "vat_rate": rate, "own_cancellation_fee": null})
}

const NAMES: [&str; 4] = ["Anna Schmidt", "Ben Meyer", "Clara Vogel", "Deniz Yılmaz"];

/// An order of `attendees` people, each with the given options (id, name, price, rate).
#[allow(clippy::too_many_arguments)]
pub fn order(
    order_id: &str,
    issuer: &Issuer,
    date: &str,
    attendees: usize,
    options: &[(&str, &str, &str, &str)],
    currency: &str,
    captured: Decimal,
    buyer_reference: Option<&str>,
) -> NewOrder {
    let bookings: Vec<_> = (0..attendees)
        .map(|i| {
            json!({
                "id": format!("b{i}"),
                "attendee_name": NAMES.get(i).map_or_else(|| format!("Gast {}", i + 1), |n| (*n).to_owned()),
                "attendee_email": format!("t{i}@example.org"),
                "date": date,
                "options": options.iter().map(|(o, n, p, r)| option(o, n, p, r, currency)).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::from_value(json!({
        "id": order_id, "partner": "partner-1", "customer": "customer-1",
        "issuer": issuer.id.as_str(), "recipient": recipient(buyer_reference),
        "channel": "direct", "currency": currency,
        "captured": {"amount": captured.to_string(), "currency": currency},
        "commission_rate": "23.8", "payout_delay_days": 7,
        "bookings": bookings,
    }))
    .unwrap()
}

/// Converia: three attendees (pass 400 + workshop 100 + dinner 50, 19 %) of a company with a
/// Leitweg-ID; an option and an attendee are cancelled (versions 2 and 3, each with the
/// cancellation document of the version before), then the whole invoice with a fee (its
/// cancellation document and a fee invoice).
pub fn converia() -> Story {
    let issuer = issuer("converia-demo", "CDC", "net", "cancellation_line", false);
    let conference = date("conference", at(2025, 6, 10), 3, "EUR");
    let options = [
        ("pass", "Konferenzticket", "400", "19"),
        ("ws", "Workshop „E-Rechnung in der Praxis“", "100", "19"),
        ("dinner", "Abendveranstaltung", "50", "19"),
    ];
    let new = order(
        "converia-group",
        &issuer,
        "conference",
        3,
        &options,
        "EUR",
        dec!(1963.50),
        Some("04011000-12345-67"),
    );
    let mut story = Story::register(
        new,
        issuer,
        std::slice::from_ref(&conference),
        at(2025, 3, 1),
    );
    story.staff(|o, c| cancel_option(o, &id("b0"), &id("ws"), &FeeChoice::None, c));
    story.staff(update_invoice);
    story.staff(|o, c| cancel_booking(o, &id("b1"), &FeeChoice::Terms, c));
    story.staff(update_invoice);
    story.now = at(2025, 5, 20);
    story.staff(|o, c| cancel_invoice(o, &FeeChoice::Terms, c));
    story
}

/// konfetti: a gross-priced course of two attendees at 119.00 with a drinks package at 7 %,
/// one package cancelled (omitted on the new version), then the course released with the
/// platform's commission invoice.
pub fn konfetti() -> Story {
    let issuer = issuer("konfetti-demo", "KF", "gross", "omit", false);
    let course = date("course-a", at(2025, 4, 5), 1, "EUR");
    let options = [
        ("seat", "Pasta-Kochkurs", "119", "19"),
        ("drinks", "Getränkepaket (alkoholfrei)", "10.70", "7"),
    ];
    let new = order(
        "konfetti-course",
        &issuer,
        "course-a",
        2,
        &options,
        "EUR",
        dec!(259.40),
        None,
    );
    let mut story = Story::register(new, issuer, std::slice::from_ref(&course), at(2025, 2, 1));
    story.staff(|o, c| cancel_option(o, &id("b1"), &id("drinks"), &FeeChoice::None, c));
    story.staff(update_invoice);
    story.now = at(2025, 4, 20);
    story.release(platform(), &partner());
    story
}

/// Net prices at 7 % and 19 % on one invoice; an attendee cancelled with a fee.
pub fn mixed_rates() -> Story {
    let issuer = issuer("mixed-demo", "MX", "net", "cancellation_line", false);
    let seminar = date("seminar", at(2025, 9, 1), 2, "EUR");
    let options = [
        ("seminar", "Seminar Buchhaltung", "890", "19"),
        ("book", "Fachbuch (gedruckt)", "37.29", "7"),
    ];
    let new = order(
        "mixed",
        &issuer,
        "seminar",
        2,
        &options,
        "EUR",
        dec!(2198.00),
        None,
    );
    let mut story = Story::register(new, issuer, std::slice::from_ref(&seminar), at(2025, 7, 1));
    story.staff(|o, c| cancel_booking(o, &id("b1"), &FeeChoice::Terms, c));
    story.staff(update_invoice);
    story
}

/// A small business exempt from VAT (§ 19 UStG): no VAT id, a tax number, category E.
pub fn exempt() -> Story {
    let issuer = issuer("kochschule", "KS", "gross", "omit", true);
    let course = date("course-k", at(2025, 10, 4), 1, "EUR");
    let options = [("seat", "Brotbackkurs", "89", "0")];
    let new = order(
        "exempt",
        &issuer,
        "course-k",
        2,
        &options,
        "EUR",
        dec!(178),
        None,
    );
    let mut story = Story::register(new, issuer, std::slice::from_ref(&course), at(2025, 8, 1));
    story.staff(|o, c| cancel_booking(o, &id("b0"), &FeeChoice::None, c));
    story.staff(update_invoice);
    story
}

/// An order in Swiss francs (EN 16931 and XRechnung allow any currency).
pub fn swiss_francs() -> Story {
    let issuer = issuer("swiss-demo", "CH", "net", "cancellation_line", false);
    let summit = date("summit", at(2025, 11, 3), 2, "CHF");
    let options = [("pass", "Summit pass", "500", "19")];
    let new = order(
        "chf",
        &issuer,
        "summit",
        1,
        &options,
        "CHF",
        dec!(595),
        None,
    );
    let mut story = Story::register(new, issuer, std::slice::from_ref(&summit), at(2025, 9, 1));
    story.staff(|o, c| cancel_invoice(o, &FeeChoice::None, c));
    story
}

/// A group of 1,000 attendees with two options each.
pub fn thousand() -> Story {
    let issuer = issuer("big-demo", "BIG", "net", "cancellation_line", false);
    let congress = date("congress", at(2025, 9, 20), 3, "EUR");
    let options = [
        ("pass", "Kongressticket", "300", "19"),
        ("dinner", "Abendveranstaltung", "45", "19"),
    ];
    let new = order(
        "thousand",
        &issuer,
        "congress",
        1_000,
        &options,
        "EUR",
        dec!(410550.00),
        None,
    );
    Story::register(new, issuer, std::slice::from_ref(&congress), at(2025, 6, 1))
}

pub fn platform() -> Issuer {
    issuer("platform", "PV", "gross", "omit", false)
}

pub fn partner() -> Partner {
    let billing: NewRecipient = serde_json::from_value(json!({
        "name": "Kochschule Sonnenschein", "company": "Sonnenschein Kurse GmbH",
        "address": {"street": "Am Markt 3", "postal_code": "50667", "city": "Köln", "country": "DE"},
        "vat_id": "DE811111111", "email": "buchhaltung@sonnenschein.example"
    }))
    .unwrap();
    Partner::new(id("partner-1"), NewPartner { billing }, &Actor::System).unwrap()
}

/// A partner established in Austria: the platform's commission is reverse charged.
pub fn partner_abroad() -> Partner {
    let billing: NewRecipient = serde_json::from_value(json!({
        "name": "Kochstudio Donau", "company": "Donau Kurse GmbH",
        "address": {"street": "Praterstraße 1", "postal_code": "1020", "city": "Wien", "country": "AT"},
        "vat_id": "ATU12345678", "email": "office@donau.example"
    }))
    .unwrap();
    Partner::new(id("partner-1"), NewPartner { billing }, &Actor::System).unwrap()
}

/// A course of a partner in Austria, released: the commission invoice is reverse charged
/// (no VAT, category AE, the partner's VAT id, the note § 14a Abs. 5 UStG asks for).
pub fn reverse_charge() -> Story {
    let issuer = issuer("danube-demo", "DK", "gross", "omit", false);
    let course = date("course-v", at(2025, 4, 5), 1, "EUR");
    let options = [("seat", "Strudelkurs", "119", "19")];
    let new = order(
        "danube-course",
        &issuer,
        "course-v",
        1,
        &options,
        "EUR",
        dec!(119),
        None,
    );
    let mut story = Story::register(new, issuer, std::slice::from_ref(&course), at(2025, 2, 1));
    story.now = at(2025, 4, 20);
    story.release(platform(), &partner_abroad());
    story
}

/// `text` repeated to `length` bytes (words of varying length, as real names have; intake
/// counts some limits in bytes).
pub fn long(text: &str, length: usize) -> String {
    let mut out = String::new();
    for ch in text.chars().cycle() {
        if out.len() + ch.len_utf8() > length {
            break;
        }
        out.push(ch);
    }
    out.trim().to_owned()
}

/// Everything as long and as large as the registry and intake accept: a seller, street,
/// company and name at their limits, 40 attendees with 200-character names, options with
/// 200-character names, 9-digit amounts, a booking of 20 options (the most intake accepts)
/// and a second one whose options are all cancelled, each with a cancellation line.
pub fn adversarial() -> Story {
    let mut entry = issuer_entry("long-demo", "LNG", "net", "cancellation_line", false);
    let name = long(
        "Internationale Gesellschaft für außergewöhnlich lange Firmennamen und Konferenzorganisation ",
        120,
    );
    entry["legal_name"] = json!(name);
    entry["address"]["street"] = json!(long("Bürgermeister-Smidt-Straße ", 120));
    entry["address"]["additional"] = json!(long("Hinterhaus, Aufgang C ", 120));
    entry["contact"]["email"] = json!(format!("{}@example.org", "rechnungsstelle".repeat(6)));
    let new_issuer: NewIssuer = serde_json::from_value(entry).unwrap();
    let issuer = Issuer::new(id("long-demo"), new_issuer, &Actor::System).unwrap();
    let congress = date("congress", at(2025, 9, 20), 3, "EUR");
    let options: Vec<(String, String, &str, &str)> = (0..20)
        .map(|i| {
            (
                format!("o{i}"),
                long(&format!("Option {i}: Ganztägiger Vertiefungsworkshop mit Verpflegung und Unterlagen "), 200),
                if i == 0 { "123456789.00" } else { "99.99" },
                if i % 2 == 0 { "19" } else { "7" },
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str, &str, &str)> = options
        .iter()
        .map(|(o, n, p, r)| (o.as_str(), n.as_str(), *p, *r))
        .collect();
    let mut new = order(
        "long-group",
        &issuer,
        "congress",
        2,
        &borrowed,
        "EUR",
        dec!(0),
        Some(&long("Leitweg-ID 04011000-1234512345-06 ", 80)),
    );
    let mut value = serde_json::to_value(&new).unwrap();
    value["recipient"]["name"] = json!(long(
        "Maximiliane Alexandra Friederike von und zu Hohenzollern-Sigmaringen ",
        120
    ));
    value["recipient"]["company"] = json!(long(
        "Arbeitsgemeinschaft der Veranstalter internationaler Fachkongresse e. V. ",
        120
    ));
    value["recipient"]["address"]["street"] = json!(long("Kurfürstendamm-Seitenflügel ", 120));
    let template = value["bookings"][1].clone();
    let mut bookings = vec![value["bookings"][0].clone()];
    for i in 1..40 {
        let mut booking = template.clone();
        booking["id"] = json!(format!("b{i}"));
        booking["attendee_name"] = json!(long(
            &format!("Teilnehmerin {i} Johanna-Katharina Müller-Lüdenscheidt-Wolkenstein "),
            200
        ));
        booking["options"] = json!([booking["options"][1].clone(), booking["options"][2].clone()]);
        bookings.push(booking);
    }
    value["bookings"] = json!(bookings);
    new = serde_json::from_value(value).unwrap();
    new.captured = storno_core::vat::payable_of(
        new.bookings
            .iter()
            .flat_map(|b| &b.options)
            .map(|o| (o.vat_rate, o.unit_price.times(Decimal::from(o.quantity)))),
        PriceEntry::Net,
        Currency::EUR,
    );
    let mut story = Story::register(new, issuer, std::slice::from_ref(&congress), at(2025, 6, 1));
    story.staff(|o, c| cancel_option(o, &id("b0"), &id("o3"), &FeeChoice::None, c));
    story.staff(|o, c| cancel_option(o, &id("b1"), &id("o1"), &FeeChoice::Terms, c));
    story.staff(|o, c| cancel_option(o, &id("b1"), &id("o2"), &FeeChoice::None, c));
    story.staff(|o, c| cancel_booking(o, &id("b2"), &FeeChoice::Terms, c));
    story.staff(update_invoice);
    story
}

/// An international conference: attendees named in Greek, Polish, Cyrillic, Japanese, Korean
/// and Chinese script and with symbols, a recipient in Greece.
pub fn scripts() -> Story {
    let issuer = issuer("world-demo", "WLD", "net", "cancellation_line", false);
    let congress = date("congress", at(2025, 9, 20), 3, "EUR");
    let options = [("pass", "Kongressticket ≥ 3 Tage, Saal № 2", "300", "19")];
    let mut new = order(
        "world-group",
        &issuer,
        "congress",
        6,
        &options,
        "EUR",
        dec!(2142),
        None,
    );
    let mut value = serde_json::to_value(&new).unwrap();
    for (i, name) in SCRIPT_NAMES.iter().enumerate() {
        value["bookings"][i]["attendee_name"] = json!(name);
    }
    value["recipient"]["name"] = json!("Ελένη Παπαδοπούλου");
    value["recipient"]["company"] = json!("Ελληνική Εταιρεία Συνεδρίων Α.Ε.");
    value["recipient"]["address"] = json!({"street": "Οδός Ερμού 12", "postal_code": "10563", "city": "Αθήνα", "country": "GR"});
    value["recipient"]["vat_id"] = json!("EL123456789");
    new = serde_json::from_value(value).unwrap();
    let mut story = Story::register(new, issuer, std::slice::from_ref(&congress), at(2025, 6, 1));
    story.staff(|o, c| cancel_booking(o, &id("b2"), &FeeChoice::Terms, c));
    story.staff(update_invoice);
    story
}

/// The attendees of [`scripts`], in order.
pub const SCRIPT_NAMES: [&str; 6] = [
    "Ελένη Παπαδοπούλου",
    "Łukasz Żółkiewski",
    "山田太郎",
    "Дмитрий Шостакович",
    "김민준",
    "王小明 (Wang Xiaoming)",
];

/// Every story, by name.
pub fn stories() -> Vec<(&'static str, Story)> {
    vec![
        ("adversarial", adversarial()),
        ("scripts", scripts()),
        ("converia", converia()),
        ("konfetti", konfetti()),
        ("mixed-rates", mixed_rates()),
        ("exempt", exempt()),
        ("chf", swiss_francs()),
        ("thousand", thousand()),
        ("reverse-charge", reverse_charge()),
    ]
}
