//! Customers' credit accounts on DynamoDB: the balance item `CUSTOMER#{id}` / `CREDIT#{cur}`
//! (`credit`, `granted`, `consumed`, and `rev`, the revision of the account's own stream), its
//! entries `CE#{cur}#{at}#{source}`, and the grant index (`gsi1`, partition `CREDIT#GRANTS`)
//! the expiry works through.
//!
//! Spending is conditioned on the balance in the transaction that spends it, so racing
//! checkouts can never overdraw an account. Decisions on the account alone (expiry, cash-out)
//! are conditioned on the whole balance item as read and written on the account's stream
//! (`ORDER#_credit.{customer}.{cur}`), whose command records the outbox hands on like an
//! order's.

use std::borrow::Cow;

use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValuesOnConditionCheckFailure, Update};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use storno_core::credit::CreditDecision;
use storno_core::{
    CreditAccount, CreditEntry, CreditMovement, Currency, CustomerId, Decision, Money,
};

use super::commit::{OnFailure, Transaction};
use super::error::{condition_held, sdk};
use super::keys::*;
use super::read::{body, number, string};
use super::records::CommandRecord;
use super::{DynamoStore, n, records, s};
use crate::app::{Conflict, IdempotencyWrite, Page, StoreError, StoredGrant};

fn money(amount: Decimal, currency: Currency) -> Result<Money, StoreError> {
    Money::new(amount, currency).map_err(StoreError::decoding)
}

impl DynamoStore {
    /// The credit part of an order decision: the balance changes (spending only while the
    /// balance covers it) and the entries are written.
    pub(super) fn credit_change(
        &self,
        tx: &mut Transaction,
        decision: &Decision,
    ) -> Result<(), StoreError> {
        let order = &decision.order;
        let currency = order.currency;
        let zero = Money::zero(currency);
        let (mut granted, mut consumed) = (zero, zero);
        for entry in &decision.credit_entries {
            match entry.movement {
                CreditMovement::Granted { .. } => granted = granted + entry.amount,
                _ => consumed = consumed + entry.amount,
            }
        }
        let change = decision.customer_credit_change;
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(PK, s(customer_pk(&order.customer)))
            .key(SK, s(credit_sk(currency)))
            .update_expression("ADD #credit :change, #granted :granted, #consumed :consumed")
            .expression_attribute_names("#credit", "credit")
            .expression_attribute_names("#granted", "granted")
            .expression_attribute_names("#consumed", "consumed")
            .expression_attribute_values(":change", n(change.amount()))
            .expression_attribute_values(":granted", n(granted.amount()))
            .expression_attribute_values(":consumed", n(consumed.amount()));
        let mut on_failure = OnFailure::Never;
        if change.is_negative() {
            update = update
                .condition_expression("#credit >= :need")
                .expression_attribute_values(":need", n((-change).amount()))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            on_failure = OnFailure::Credit;
        }
        tx.update(update.build()?, on_failure);
        for (index, entry) in decision.credit_entries.iter().enumerate() {
            let source = format!("{}#{:012}#{index}", order.id, order.revision);
            tx.put(
                self.entry_put(entry, currency, &source)?,
                512,
                OnFailure::Never,
            );
        }
        Ok(())
    }

    /// An entry item; grants also enter the grant index.
    fn entry_put(
        &self,
        entry: &CreditEntry,
        currency: Currency,
        source: &str,
    ) -> Result<Put, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .item(PK, s(customer_pk(&entry.customer)))
            .item(SK, s(credit_entry_sk(currency, entry.at, source)))
            .item(
                "body",
                AttributeValue::B(records::credit_entry_to_json(entry)?.into()),
            );
        if matches!(entry.movement, CreditMovement::Granted { .. }) {
            put = put.item(GSI1_PK, s(CREDIT_GRANTS)).item(
                GSI1_SK,
                s(credit_grant_sk(entry.at, &entry.customer, currency)),
            );
        }
        Ok(put
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()?)
    }

    fn retire_update(&self, grant: &StoredGrant) -> Result<Update, StoreError> {
        Ok(Update::builder()
            .table_name(&self.table)
            .key(PK, s(customer_pk(&grant.entry.customer)))
            .key(SK, s(&grant.key))
            .update_expression("REMOVE #gpk, #gsk")
            .condition_expression("attribute_exists(#gpk)")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_names("#gsk", GSI1_SK)
            .build()?)
    }
}

impl DynamoStore {
    /// The account as stored now (read consistently); empty if never written.
    pub async fn credit_account(
        &self,
        customer: &CustomerId,
        currency: Currency,
    ) -> Result<CreditAccount, StoreError> {
        let mut account = CreditAccount::empty(customer.clone(), currency);
        let Some(item) = self
            .get(&customer_pk(customer), &credit_sk(currency))
            .await?
        else {
            return Ok(account);
        };
        let amount = |name: &str| -> Result<Money, StoreError> {
            match item.get(name) {
                Some(_) => money(number::<Decimal>(&item, name)?, currency),
                None => Ok(Money::zero(currency)),
            }
        };
        account.balance = amount("credit")?;
        account.granted = amount("granted")?;
        account.consumed = amount("consumed")?;
        account.revision = match item.get("rev") {
            Some(_) => number(&item, "rev")?,
            None => 0,
        };
        Ok(account)
    }

    /// A page of the account's entries, newest first.
    pub async fn credit_entries(
        &self,
        customer: &CustomerId,
        currency: Currency,
        limit: usize,
        start: Option<String>,
    ) -> Result<Page<CreditEntry>, StoreError> {
        let partition = customer_pk(customer);
        let prefix = credit_entry_prefix(currency);
        self.newest_first_page(
            partition,
            &prefix,
            limit,
            start.as_deref(),
            records::credit_entry_from_json,
        )
        .await
    }

    /// Grants made before `before` that are still in the grant index, oldest first.
    pub async fn grants_made_before(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<StoredGrant>, StoreError> {
        let page = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI_PAYOUTS)
            .key_condition_expression("#pk = :grants AND #sk < :before")
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_names("#sk", GSI1_SK)
            .expression_attribute_values(":grants", s(CREDIT_GRANTS))
            .expression_attribute_values(":before", s(credit_granted_before(before)))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(sdk)?;
        let mut grants = Vec::new();
        for found in page.items() {
            // The index may project keys only: read the entry itself.
            let pk = string(found, PK)?;
            let key = string(found, SK)?.to_owned();
            let Some(item) = self.get(pk, &key).await? else {
                continue;
            };
            let entry = records::credit_entry_from_json(body(&item)?)?;
            grants.push(StoredGrant {
                key,
                currency: entry.amount.currency(),
                entry,
            });
        }
        Ok(grants)
    }

    /// Everything granted on the grant's account before it (oldest grant is used first).
    pub async fn granted_before(&self, grant: &StoredGrant) -> Result<Money, StoreError> {
        let query = self
            .partition(
                None,
                (PK, customer_pk(&grant.entry.customer)),
                Some((SK, &credit_entry_prefix(grant.currency))),
            )
            .consistent_read(true);
        let mut sum = Money::zero(grant.currency);
        for item in self.query_all(query).await? {
            if string(&item, SK)? >= grant.key.as_str() {
                break;
            }
            let entry = records::credit_entry_from_json(body(&item)?)?;
            if matches!(entry.movement, CreditMovement::Granted { .. }) {
                sum = sum + entry.amount;
            }
        }
        Ok(sum)
    }

    /// Records a decision on the account's own stream — the balance (only if still as the
    /// decision read it), the entry, the command record with its posting and follow-ups (the
    /// outbox) and the idempotency record — all or nothing; with `retire`, the grant leaves
    /// the grant index in the same transaction. `token` identifies this write: the same for
    /// every re-send of it, another for each new decision.
    pub async fn commit_credit(
        &self,
        decision: &CreditDecision,
        retire: Option<&StoredGrant>,
        idempotency: Option<&IdempotencyWrite>,
        token: &str,
    ) -> Result<(), StoreError> {
        let after = &decision.account;
        let mut tx = Transaction::default();
        tx.update(self.balance_update(decision)?, OnFailure::Balance);
        let source = format!("{}#{:012}#0", decision.stream, after.revision);
        tx.put(
            self.entry_put(&decision.entry, after.currency, &source)?,
            512,
            OnFailure::Never,
        );
        let record = CommandRecord {
            posting: Cow::Owned(Some(decision.posting.clone())),
            followups: Cow::Borrowed(&decision.followups),
            numbers: None,
        };
        let at = decision.entry.at;
        let (put, _) = self.command_record_put(&decision.stream, after.revision, &record, at)?;
        tx.put(put, 1024, OnFailure::Balance);
        if let Some(grant) = retire {
            tx.update(self.retire_update(grant)?, OnFailure::Balance);
        }
        if let Some(idempotency) = idempotency {
            tx.put(
                self.idempotency_put(idempotency)?,
                1024,
                OnFailure::Idempotency,
            );
        }
        self.run_transaction(tx, token, |meaning, _| match meaning {
            OnFailure::Idempotency => Conflict::Idempotency,
            _ => Conflict::Balance,
        })
        .await
        .map(|_| ())
    }

    /// The account's balance item, changed only if it is exactly as the decision read it.
    fn balance_update(&self, decision: &CreditDecision) -> Result<Update, StoreError> {
        let (before, after) = (&decision.before, &decision.account);
        let change = after.balance - before.balance;
        let consumed = after.consumed - before.consumed;
        let update = Update::builder()
            .table_name(&self.table)
            .key(PK, s(customer_pk(&after.customer)))
            .key(SK, s(credit_sk(after.currency)))
            .update_expression("ADD #credit :change, #consumed :consumed SET #rev = :rev")
            .expression_attribute_names("#credit", "credit")
            .expression_attribute_names("#consumed", "consumed")
            .expression_attribute_names("#rev", "rev")
            .expression_attribute_values(":change", n(change.amount()))
            .expression_attribute_values(":consumed", n(consumed.amount()))
            .expression_attribute_values(":rev", n(after.revision))
            .expression_attribute_values(":balance", n(before.balance.amount()))
            .expression_attribute_values(":consumed_read", n(before.consumed.amount()));
        let update = if before.revision == 0 {
            update.condition_expression(
                "#credit = :balance AND #consumed = :consumed_read AND attribute_not_exists(#rev)",
            )
        } else {
            update
                .condition_expression(
                    "#credit = :balance AND #consumed = :consumed_read AND #rev = :rev_read",
                )
                .expression_attribute_values(":rev_read", n(before.revision))
        };
        Ok(update.build()?)
    }

    /// Takes a grant off the grant index: nothing is left of it to expire.
    pub async fn retire_grant(&self, grant: &StoredGrant) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(customer_pk(&grant.entry.customer)))
            .key(SK, s(&grant.key))
            .update_expression("REMOVE #gpk, #gsk")
            .condition_expression("attribute_exists(#gpk)")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_names("#gsk", GSI1_SK)
            .send()
            .await;
        // Retired before (another run): nothing to do.
        condition_held(result).map(|_| ())
    }
}
