//! Accounts: the issuer registry, partners and their accounts, customers' credit.

use lambda_http::http::StatusCode;
use storno_core::{CustomerId, IssuerId, PartnerId};

use super::super::bodies;
use super::super::request::{
    currency_param, decode_cursor, decode_cursor_named, encode_cursor, idempotency, json,
    page_limit, respond,
};
use super::super::views;
use super::{Api, Call, Routed};
use crate::app::{Clock, FollowUpPublisher, Queue};

impl<P, C, Q> Api<P, C, Q>
where
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
{
    pub(super) async fn put_issuer(&self, call: &Call<'_>) -> Routed {
        let body: storno_core::NewIssuer = json(call.request)?;
        let id: IssuerId = call.id("id", "issuer")?;
        self.once(call, StatusCode::OK, || async {
            Ok(self.runner.put_issuer(id, body, &call.actor).await?)
        })
        .await
    }

    pub(super) async fn get_issuer(&self, call: &Call<'_>) -> Routed {
        let id: IssuerId = call.id("id", "issuer")?;
        let issuer = self.runner.read_issuer(&id, &call.actor).await?;
        Ok(respond(StatusCode::OK, &issuer, None))
    }

    pub(super) async fn put_partner(&self, call: &Call<'_>) -> Routed {
        let body: storno_core::NewPartner = json(call.request)?;
        let id: PartnerId = call.id("partnerId", "partner")?;
        self.once(call, StatusCode::OK, || async {
            Ok(self.runner.put_partner(id, body, &call.actor).await?)
        })
        .await
    }

    pub(super) async fn get_partner(&self, call: &Call<'_>) -> Routed {
        let id: PartnerId = call.id("partnerId", "partner")?;
        let partner = self.runner.read_partner(&id, &call.actor).await?;
        Ok(respond(StatusCode::OK, &partner, None))
    }

    /// The partner's account (`?currency=`, default EUR): payable, open debits, payouts.
    pub(super) async fn partner_account(&self, call: &Call<'_>) -> Routed {
        let partner: PartnerId = call.id("partnerId", "partner")?;
        let currency = currency_param(call.request)?;
        let limit = page_limit(call.request)?;
        let cursors = (
            decode_cursor(call.request)?,
            decode_cursor_named(call.request, "debits_cursor")?,
        );
        let mut account = self
            .runner
            .partner_account(&partner, currency, &call.actor, limit, cursors)
            .await?;
        account.next_cursor = encode_cursor(account.next_cursor.take());
        account.debits_next_cursor = encode_cursor(account.debits_next_cursor.take());
        Ok(respond(StatusCode::OK, &account, None))
    }

    /// A customer's credit account, its entries newest first (`?currency=`, default EUR).
    pub(super) async fn customer_credit(&self, call: &Call<'_>) -> Routed {
        let customer: CustomerId = call.id("id", "customer")?;
        let currency = currency_param(call.request)?;
        let limit = page_limit(call.request)?;
        let cursor = decode_cursor(call.request)?;
        let (account, page) = self
            .runner
            .read_credit(&customer, currency, &call.actor, limit, cursor)
            .await?;
        let view = views::credit_account(
            &account,
            &page.items,
            self.runner.policy().credit_valid_years,
            encode_cursor(page.next),
        );
        Ok(respond(StatusCode::OK, &view, None))
    }

    /// Staff pay out a customer's credit to the original payment (a refund), once.
    pub(super) async fn pay_out_credit(&self, call: &Call<'_>) -> Routed {
        let body: bodies::CreditPayout = json(call.request)?;
        let customer: CustomerId = call.id("id", "customer")?;
        let key = idempotency(call.request, &call.actor)?;
        let paid = self
            .runner
            .pay_out_credit(
                &customer,
                body.currency,
                body.amount,
                &call.actor,
                key.as_ref(),
            )
            .await?;
        Ok(respond(StatusCode::CREATED, &paid, None))
    }
}
