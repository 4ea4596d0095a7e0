//! Payments and messages leave Storno as instructions on an SQS queue that the company's
//! payment and mail systems consume (the production `PaymentGateway` and `Notifier`). Each
//! instruction carries the effect's deterministic key as its idempotency key: a consumer that
//! honours it (as payment providers do) pays and sends each effect once, even if the worker
//! sends an instruction again after a crash.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::MessageAttributeValue;
use serde::Serialize;
use storno_core::{CustomerId, DocumentNumber, Effect, Money, PartnerId};

use crate::app::{FollowUpError, Notifier, PaymentGateway};

#[derive(Debug, Clone)]
pub struct SqsInstructions {
    client: Client,
    url: String,
}

/// One instruction as consumers read it.
#[derive(Serialize)]
#[serde(tag = "instruction", rename_all = "snake_case")]
enum Instruction<'a> {
    Refund {
        idempotency_key: &'a str,
        customer: &'a CustomerId,
        amount: Money,
    },
    Transfer {
        idempotency_key: &'a str,
        partner: &'a PartnerId,
        amount: Money,
    },
    Notify {
        idempotency_key: &'a str,
        effect: &'a Effect,
    },
    /// Send an issued document to its recipient. By reference: the mail system fetches the
    /// forms it attaches from the document route (a 1,000-attendee PDF would not fit into an
    /// SQS message), authenticated as the system.
    DeliverDocument {
        idempotency_key: &'a str,
        /// The number as printed.
        number: String,
        /// The forms, as paths of the API: `pdf` (PDF/A-3 with the CII embedded), `cii` and
        /// `ubl` (the e-invoice XML for business recipients), `json`.
        links: DocumentLinks,
    },
}

#[derive(Serialize)]
struct DocumentLinks {
    json: String,
    pdf: String,
    cii: String,
    ubl: String,
}

impl DocumentLinks {
    fn of(number: &DocumentNumber) -> Self {
        let path = format!("/documents/{}", number.id());
        DocumentLinks {
            pdf: format!("{path}?format=pdf"),
            cii: format!("{path}?format=cii"),
            ubl: format!("{path}?format=ubl"),
            json: path,
        }
    }
}

impl SqsInstructions {
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        SqsInstructions {
            client,
            url: url.into(),
        }
    }

    async fn send(&self, key: &str, instruction: &Instruction<'_>) -> Result<(), FollowUpError> {
        let body = serde_json::to_string(instruction)
            .map_err(|e| FollowUpError::permanent("an instruction", e))?;
        let attribute = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(key)
            .build()
            .map_err(|e| FollowUpError::permanent("an instruction", e))?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .message_attributes("idempotency_key", attribute)
            .send()
            .await
            .map_err(|e| FollowUpError::retryable("the instructions queue", e))?;
        Ok(())
    }
}

impl PaymentGateway for SqsInstructions {
    async fn refund(
        &self,
        key: &str,
        customer: &CustomerId,
        amount: Money,
    ) -> Result<(), FollowUpError> {
        let instruction = Instruction::Refund {
            idempotency_key: key,
            customer,
            amount,
        };
        self.send(key, &instruction).await
    }

    async fn transfer(
        &self,
        key: &str,
        partner: &PartnerId,
        amount: Money,
    ) -> Result<(), FollowUpError> {
        let instruction = Instruction::Transfer {
            idempotency_key: key,
            partner,
            amount,
        };
        self.send(key, &instruction).await
    }
}

impl Notifier for SqsInstructions {
    async fn notify(&self, key: &str, effect: &Effect) -> Result<(), FollowUpError> {
        let instruction = match effect {
            Effect::DeliverDocument { number } => Instruction::DeliverDocument {
                idempotency_key: key,
                number: number.to_string(),
                links: DocumentLinks::of(number),
            },
            _ => Instruction::Notify {
                idempotency_key: key,
                effect,
            },
        };
        self.send(key, &instruction).await
    }
}
