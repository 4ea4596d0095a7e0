//! The table definition, in one place: tests and `storno-local` create the table from it, and
//! `infra/template.yaml` mirrors it (a test compares the two).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use super::StoreError;
use super::error::sdk;
use super::keys::*;

/// One global secondary index: name, partition and sort key attributes (all strings, keys only
/// plus the attributes the queries need are projected as ALL for simplicity of reads).
pub struct IndexDefinition {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

pub const INDEXES: [IndexDefinition; 3] = [
    IndexDefinition {
        name: GSI_PAYOUTS,
        pk: GSI1_PK,
        sk: GSI1_SK,
    },
    IndexDefinition {
        name: GSI_PARTNER_ORDERS,
        pk: GSI2_PK,
        sk: GSI2_SK,
    },
    IndexDefinition {
        name: GSI_OUTBOX,
        pk: GSI3_PK,
        sk: GSI3_SK,
    },
];

fn key(name: &str, key_type: KeyType) -> Result<KeySchemaElement, StoreError> {
    Ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()?)
}

fn string_attribute(name: &str) -> Result<AttributeDefinition, StoreError> {
    Ok(AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()?)
}

/// Creates the table (on-demand, both GSIs) and turns on TTL for idempotency records.
pub async fn create_table(client: &Client, table: &str) -> Result<(), StoreError> {
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .attribute_definitions(string_attribute(PK)?)
        .attribute_definitions(string_attribute(SK)?);
    for index in &INDEXES {
        request = request
            .attribute_definitions(string_attribute(index.pk)?)
            .attribute_definitions(string_attribute(index.sk)?)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index.name)
                    .key_schema(key(index.pk, KeyType::Hash)?)
                    .key_schema(key(index.sk, KeyType::Range)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::KeysOnly)
                            .build(),
                    )
                    .build()?,
            );
    }
    request.send().await.map_err(sdk)?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TTL_ATTRIBUTE)
                .build()?,
        )
        .send()
        .await
        .map_err(sdk)?;
    Ok(())
}
