//! The local payment provider and mailer: what the company's payment and mail systems do with
//! Storno's instructions, kept in the embedded store so a crash forgets nothing. Like a real
//! payment provider it honours the idempotency key: the same key pays once however often it is
//! sent (the calls are counted, to show how often that happened). Every call is also recorded
//! in memory for tests that look at what happened in this process.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use storno_core::{CustomerId, Effect, Money, PartnerId};
use storno_functions::app::{FollowUpError, Notifier, PaymentGateway, Recorder};

/// Partition of the payments made (sort key: the idempotency key).
pub const PAYMENTS_PK: &str = "LOCAL#PAYMENTS";
/// Partition of the messages sent.
pub const MESSAGES_PK: &str = "LOCAL#MESSAGES";

#[derive(Clone)]
pub struct LocalProvider {
    client: Client,
    table: String,
    recorder: Recorder,
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

impl LocalProvider {
    pub fn new(client: Client, table: impl Into<String>, recorder: Recorder) -> Self {
        LocalProvider {
            client,
            table: table.into(),
            recorder,
        }
    }

    /// Records an instruction under its key: the first call's content stays, later calls with
    /// the same key only count.
    async fn keep(
        &self,
        partition: &str,
        key: &str,
        fields: &[(&str, String)],
    ) -> Result<(), FollowUpError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(partition))
            .key("sk", s(key))
            .expression_attribute_values(":one", AttributeValue::N("1".into()));
        let mut sets = Vec::new();
        for (index, (name, value)) in fields.iter().enumerate() {
            sets.push(format!("#f{index} = if_not_exists(#f{index}, :v{index})"));
            update = update
                .expression_attribute_names(format!("#f{index}"), *name)
                .expression_attribute_values(format!(":v{index}"), s(value.clone()));
        }
        update
            .update_expression(format!("SET {} ADD calls :one", sets.join(", ")))
            .send()
            .await
            .map_err(|e| FollowUpError::retryable("the local provider", e))?;
        Ok(())
    }
}

impl PaymentGateway for LocalProvider {
    async fn refund(
        &self,
        key: &str,
        customer: &CustomerId,
        amount: Money,
    ) -> Result<(), FollowUpError> {
        self.keep(
            PAYMENTS_PK,
            key,
            &[
                ("kind", "refund".into()),
                ("party", customer.to_string()),
                ("amount", amount.amount().to_string()),
                ("currency", amount.currency().to_string()),
            ],
        )
        .await?;
        self.recorder.refund(key, customer, amount).await
    }

    async fn transfer(
        &self,
        key: &str,
        partner: &PartnerId,
        amount: Money,
    ) -> Result<(), FollowUpError> {
        self.keep(
            PAYMENTS_PK,
            key,
            &[
                ("kind", "transfer".into()),
                ("party", partner.to_string()),
                ("amount", amount.amount().to_string()),
                ("currency", amount.currency().to_string()),
            ],
        )
        .await?;
        self.recorder.transfer(key, partner, amount).await
    }
}

impl Notifier for LocalProvider {
    async fn notify(&self, key: &str, effect: &Effect) -> Result<(), FollowUpError> {
        let body =
            serde_json::to_string(effect).map_err(|e| FollowUpError::permanent("a message", e))?;
        self.keep(MESSAGES_PK, key, &[("effect", body)]).await?;
        self.recorder.notify(key, effect).await
    }
}
