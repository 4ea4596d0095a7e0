//! Commands on an order: one handler per route, each binding the core command to the
//! request's body and path; `If-Match` and `Idempotency-Key` apply to all.

use lambda_http::http::StatusCode;
use storno_core::rebooking::MAX_ALTERNATIVE_DATES;
use storno_core::{BookingId, Context, Decision, DomainError, OptionId, Order, RequestId};

use super::super::bodies;
use super::super::problem::Problem;
use super::super::request::{idempotency, if_match, json, respond};
use super::super::views;
use super::{Api, Call, Routed};
use crate::app::{Clock, FollowUpPublisher, Idempotency, Queue};

/// What a command's request asks of its execution: `If-Match` and `Idempotency-Key`.
fn preconditions(call: &Call<'_>) -> Result<(Option<u64>, Option<Idempotency>), Problem> {
    Ok((
        if_match(call.request)?,
        idempotency(call.request, &call.actor)?,
    ))
}

/// A dry run's answer; its `ETag` is the version the decision was made on.
fn dry_run_response(decision: &Decision) -> lambda_http::Response<lambda_http::Body> {
    let read = decision.order.revision - 1;
    respond(StatusCode::OK, &views::dry_run(decision), Some(read))
}

impl<P, C, Q> Api<P, C, Q>
where
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
{
    pub(super) async fn set_rebook_flag(&self, call: &Call<'_>) -> Routed {
        let body: bodies::RebookFlag = json(call.request)?;
        self.command(call, |o, c| storno_core::set_rebook_flag(o, body.on, c))
            .await
    }

    pub(super) async fn request_rebooking(&self, call: &Call<'_>) -> Routed {
        let body: bodies::RebookingRequest = json(call.request)?;
        self.command(call, |o, c| {
            storno_core::request_rebooking(o, &body.reason, &body.bookings, c)
        })
        .await
    }

    pub(super) async fn decide_rebooking_request(&self, call: &Call<'_>) -> Routed {
        let body: bodies::RequestDecision = json(call.request)?;
        let id: RequestId = call.id("rid", "rebooking request")?;
        self.command(call, |o, c| {
            storno_core::decide_rebooking_request(o, &id, body.approve, c)
        })
        .await
    }

    pub(super) async fn report_cannot_run(&self, call: &Call<'_>) -> Routed {
        let body: bodies::CannotRun = json(call.request)?;
        self.command(call, |o, c| {
            storno_core::report_cannot_run(o, &body.bookings, c)
        })
        .await
    }

    pub(super) async fn choose_alternative_date(&self, call: &Call<'_>) -> Routed {
        let body: bodies::AlternativeChoice = json(call.request)?;
        self.command(call, |o, c| {
            storno_core::answer_alternative_dates(o, body.date.as_ref(), c)
        })
        .await
    }

    pub(super) async fn release_payout_hold(&self, call: &Call<'_>) -> Routed {
        let body: bodies::DryRunOnly = json(call.request)?;
        self.command_or_dry_run(call, body.dry_run, storno_core::release_payout_hold)
            .await
    }

    pub(super) async fn resolve_partner_cancellation(&self, call: &Call<'_>) -> Routed {
        let body: bodies::PartnerCancellationResolution = json(call.request)?;
        let decide = |o: &Order, c: &Context| {
            storno_core::resolve_partner_cancellation(o, body.resolution, c)
        };
        self.command_or_dry_run(call, body.dry_run, decide).await
    }

    pub(super) async fn update_invoice(&self, call: &Call<'_>) -> Routed {
        let body: bodies::DryRunOnly = json(call.request)?;
        self.command_or_dry_run(call, body.dry_run, storno_core::update_invoice)
            .await
    }

    pub(super) async fn cancel_invoice(&self, call: &Call<'_>) -> Routed {
        let body: bodies::Cancellation = json(call.request)?;
        let decide = |o: &Order, c: &Context| storno_core::cancel_invoice(o, &body.fee, c);
        self.command_or_dry_run(call, body.dry_run, decide).await
    }

    pub(super) async fn cancel_booking(&self, call: &Call<'_>) -> Routed {
        let body: bodies::Cancellation = json(call.request)?;
        let booking: BookingId = call.id("bid", "booking")?;
        let decide =
            |o: &Order, c: &Context| storno_core::cancel_booking(o, &booking, &body.fee, c);
        self.command_or_dry_run(call, body.dry_run, decide).await
    }

    pub(super) async fn cancel_option(&self, call: &Call<'_>) -> Routed {
        let body: bodies::Cancellation = json(call.request)?;
        let booking: BookingId = call.id("bid", "booking")?;
        let option: OptionId = call.id("oid", "booking option")?;
        let decide =
            |o: &Order, c: &Context| storno_core::cancel_option(o, &booking, &option, &body.fee, c);
        self.command_or_dry_run(call, body.dry_run, decide).await
    }

    pub(super) async fn rebook(&self, call: &Call<'_>) -> Routed {
        let body: bodies::Rebooking = json(call.request)?;
        let order = call.order()?;
        let request = storno_core::Rebooking {
            request: body.request.as_ref(),
            bookings: &body.bookings,
        };
        if body.dry_run {
            let date = self.runner.date(&body.date).await?;
            let decision = self
                .runner
                .dry_run(&order, &call.actor, |o, c| {
                    storno_core::rebook(o, &date, request, c)
                })
                .await?;
            return Ok(dry_run_response(&decision));
        }
        let (expected, key) = preconditions(call)?;
        let receipt = self
            .runner
            .execute_onto(&order, &call.actor, key.as_ref(), &body.date, |o, d, c| {
                DomainError::require_version(o.revision, expected)?;
                storno_core::rebook(o, d, request, c)
            })
            .await?;
        let receipt = views::receipt(receipt, &call.actor);
        Ok(respond(StatusCode::OK, &receipt, Some(receipt.version)))
    }

    pub(super) async fn propose_alternative_dates(&self, call: &Call<'_>) -> Routed {
        let body: bodies::AlternativeDates = json(call.request)?;
        // Reads at most one date more than may be proposed: the core refuses the count, and a
        // long list costs no more reads than that.
        let mut dates = Vec::new();
        for id in body.dates.iter().take(MAX_ALTERNATIVE_DATES + 1) {
            dates.push(self.runner.date(id).await?);
        }
        self.command(call, |o, c| {
            storno_core::propose_alternative_dates(o, &dates, c)
        })
        .await
    }

    async fn command<F>(&self, call: &Call<'_>, decide: F) -> Routed
    where
        F: Fn(&Order, &Context) -> Result<Decision, DomainError> + Sync,
    {
        let order = call.order()?;
        let (expected, key) = preconditions(call)?;
        let receipt = self
            .runner
            .execute(&order, &call.actor, key.as_ref(), |o, c| {
                DomainError::require_version(o.revision, expected)?;
                decide(o, c)
            })
            .await?;
        let receipt = views::receipt(receipt, &call.actor);
        Ok(respond(StatusCode::OK, &receipt, Some(receipt.version)))
    }

    async fn command_or_dry_run<F>(&self, call: &Call<'_>, dry_run: bool, decide: F) -> Routed
    where
        F: Fn(&Order, &Context) -> Result<Decision, DomainError> + Sync,
    {
        if !dry_run {
            return self.command(call, decide).await;
        }
        let order = call.order()?;
        let decision = self.runner.dry_run(&order, &call.actor, decide).await?;
        Ok(dry_run_response(&decision))
    }
}
