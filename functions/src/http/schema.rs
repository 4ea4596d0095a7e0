//! The OpenAPI components, generated from the types the API reads and writes (feature
//! "schema"). A test compares them with `docs/openapi.json`, so a change to a wire type shows in
//! review as a change to the contract.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value};

use super::{Problem, answers, bodies, order_view, views};
use crate::app;

fn add<T: JsonSchema>(generator: &mut SchemaGenerator) {
    generator.subschema_for::<T>();
}

/// Request bodies, read as the server reads them (defaults optional, unknown fields refused).
fn requests() -> Map<String, Value> {
    let mut generator = settings(SchemaSettings::draft2020_12().for_deserialize());
    let g = &mut generator;
    add::<storno_core::NewOrder>(g);
    add::<storno_core::NewIssuer>(g);
    add::<storno_core::NewPartner>(g);
    add::<bodies::RebookFlag>(g);
    add::<bodies::RebookingRequest>(g);
    add::<bodies::RequestDecision>(g);
    add::<bodies::Rebooking>(g);
    add::<bodies::PartnerCancellationResolution>(g);
    add::<bodies::AlternativeDates>(g);
    add::<bodies::AlternativeChoice>(g);
    add::<bodies::Cancellation>(g);
    add::<bodies::CannotRun>(g);
    add::<bodies::DryRunOnly>(g);
    add::<bodies::NewDate>(g);
    add::<bodies::DateUpdate>(g);
    add::<bodies::RebookAll>(g);
    add::<bodies::ReconciliationRun>(g);
    add::<bodies::CreditPayout>(g);
    generator.take_definitions(true)
}

/// Response bodies, as the server writes them.
fn responses() -> Map<String, Value> {
    let mut generator = settings(SchemaSettings::draft2020_12().for_serialize());
    let g = &mut generator;
    add::<Problem>(g);
    add::<app::Receipt>(g);
    add::<views::DryRun<'static>>(g);
    add::<order_view::OrderView<'static>>(g);
    add::<views::OrderSummary>(g);
    add::<views::Ticket>(g);
    add::<views::CreditAccountView>(g);
    add::<views::JobView<'static>>(g);
    add::<app::DatePreview>(g);
    add::<app::CreditPaidOut>(g);
    add::<app::PartnerAccount>(g);
    add::<app::Reconciliation>(g);
    add::<storno_core::Document>(g);
    add::<storno_core::EventDate>(g);
    add::<storno_core::Issuer>(g);
    add::<storno_core::Partner>(g);
    add::<storno_core::dates::Attendee>(g);
    add::<answers::OrderDocuments<'static>>(g);
    add::<answers::OrderPage>(g);
    add::<answers::AttendeeList<'static>>(g);
    add::<answers::PayoutRunDone>(g);
    add::<answers::PayoutRunPreview>(g);
    generator.take_definitions(true)
}

fn settings(settings: SchemaSettings) -> SchemaGenerator {
    settings
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator()
}

/// Rewrites `$ref`s to `from` into `$ref`s to `to`.
fn rename_refs(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key == "$ref" && inner.as_str() == Some(from) {
                    *inner = Value::String(to.to_owned());
                } else {
                    rename_refs(inner, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rename_refs(i, from, to)),
        _ => {}
    }
}

/// Every request body and response body, by component name (JSON Schema 2020-12, as OpenAPI
/// 3.1 uses it). A type read and written differently (e.g. defaults) keeps its name as a
/// request and is `…Out` as a response.
pub fn components() -> Map<String, Value> {
    let mut all = requests();
    let mut answers = responses();
    let clashes: Vec<String> = answers
        .iter()
        .filter(|(name, schema)| all.get(*name).is_some_and(|other| other != *schema))
        .map(|(name, _)| name.clone())
        .collect();
    for name in &clashes {
        let schema = answers.remove(name).expect("listed");
        answers.insert(format!("{name}Out"), schema);
    }
    for name in &clashes {
        for schema in answers.values_mut() {
            rename_refs(
                schema,
                &format!("#/components/schemas/{name}"),
                &format!("#/components/schemas/{name}Out"),
            );
        }
    }
    all.extend(answers);
    all
}
