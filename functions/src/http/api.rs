//! The API: one request in, one response out. Each route parses its input, takes the caller
//! from the authorizer's claims, runs one use case and maps the result; every decision is the
//! core's. Anything a client sends that is not accepted answers 4xx with a problem document.

use std::sync::Arc;

use lambda_http::http::{Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use storno_core::rebooking::MAX_ALTERNATIVE_DATES;
use storno_core::{
    Actor, BookingId, Context, CustomerId, DateAction, DateId, Decision, DocumentNumber,
    DomainError, EventDate, IssuerId, OptionId, Order, OrderId, PartnerId, RequestId, TimeZone,
};

use storno_render::{Format, RenderError};

use super::bodies;
use super::identity::actor_of;
use super::problem::Problem;
use super::request::{
    check_size, currency_param, decode_cursor, document_format, encode_cursor, file_response,
    idempotency, idempotency_key, if_match, json, page_limit, problem_response, respond,
};
use super::routes::{Function, Matched, Miss, RouteId, match_route};
use super::views;
use crate::app::{
    AppError, Clock, CreditStore, DateStore, EffectLog, FollowUpPublisher, JobStore, OrderReads,
    OrderStore, Outbox, Queue, Runner,
};

/// Renders a document as XML or PDF. Only the function that serves documents is given one,
/// so no other binary links the renderer.
pub type Renderer = fn(&storno_core::Document, Format) -> Result<Vec<u8>, RenderError>;

#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Payouts released per run (the system's payout-run route).
    pub payout_batch: usize,
    /// `None`: documents are served as JSON only.
    pub renderer: Option<Renderer>,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            payout_batch: 200,
            renderer: None,
        }
    }
}

pub struct Api<S, P, C, Q> {
    runner: Arc<Runner<S, P, C>>,
    /// Where whole-date jobs fan out and payout runs chain.
    queue: Q,
    settings: ApiSettings,
}

/// One request on its way through a route.
struct Call<'a> {
    request: &'a Request,
    actor: Actor,
    matched: Matched,
}

impl Call<'_> {
    fn param(&self, name: &str) -> &str {
        self.matched.param(name)
    }

    /// An id in the path that cannot exist does not exist.
    fn id<T>(&self, name: &str, what: &'static str) -> Result<T, Problem>
    where
        T: TryFrom<String, Error = DomainError>,
    {
        T::try_from(self.param(name).to_owned()).map_err(|_| Problem::not_found(what))
    }

    fn order(&self) -> Result<OrderId, Problem> {
        self.id("id", "order")
    }
}

type Routed = Result<Response<Body>, Problem>;

/// What a command's request asks of its execution: `If-Match` and `Idempotency-Key`.
fn preconditions(
    call: &Call<'_>,
) -> Result<(Option<u64>, Option<crate::app::Idempotency>), Problem> {
    Ok((
        if_match(call.request)?,
        idempotency(call.request, &call.actor)?,
    ))
}

/// Command records checked per reconciliation request (of each kind: not handed on, not
/// verified); the next request continues.
const RECONCILIATION_LIMIT: usize = 500;

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("responses serialise")
}

/// A response stored under an idempotency key (or just made), with its `Location` if any.
fn stored_response((status, body): crate::app::Stored, location: Option<String>) -> Response<Body> {
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(location) = location {
        response = response.header(header::LOCATION, location);
    }
    response.body(Body::Text(body)).expect("a valid response")
}

/// A read whose `ETag` the caller already holds (`If-None-Match`) answers 304 without a body.
fn not_modified(request: &Request, response: Response<Body>) -> Response<Body> {
    let read = matches!(*request.method(), Method::GET | Method::HEAD);
    let (Some(etag), Some(held)) = (
        response.headers().get(header::ETAG),
        request.headers().get(header::IF_NONE_MATCH),
    ) else {
        return response;
    };
    let held = held.to_str().unwrap_or_default();
    let matches = held.trim() == "*"
        || held
            .split(',')
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag.as_bytes() == etag.as_bytes());
    if !read || !matches || response.status() != StatusCode::OK {
        return response;
    }
    let mut unchanged = Response::builder()
        .status(StatusCode::NOT_MODIFIED)
        .body(Body::Empty)
        .expect("a valid response");
    unchanged.headers_mut().insert(header::ETAG, etag.clone());
    unchanged
}

/// A dry run's answer; its `ETag` is the version the decision was made on.
fn dry_run_response(decision: &Decision) -> Response<Body> {
    let read = decision.order.revision - 1;
    respond(StatusCode::OK, &views::dry_run(decision), Some(read))
}

impl<S, P, C, Q> Api<S, P, C, Q>
where
    S: OrderStore + DateStore + JobStore + OrderReads + Outbox + EffectLog + CreditStore,
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
{
    pub fn new(runner: Arc<Runner<S, P, C>>, queue: Q, settings: ApiSettings) -> Self {
        Api {
            runner,
            queue,
            settings,
        }
    }

    /// Serve documents' XML and PDF forms with `renderer` (the orders function, storno-local).
    pub fn set_renderer(&mut self, renderer: Option<Renderer>) {
        self.settings.renderer = renderer;
    }

    pub fn runner(&self) -> &Arc<Runner<S, P, C>> {
        &self.runner
    }

    /// Serves every route (the local server).
    pub async fn handle(&self, request: Request) -> Response<Body> {
        self.serve(request, None).await
    }

    /// Serves the routes of one Lambda function; others answer 404.
    pub async fn handle_for(&self, function: Function, request: Request) -> Response<Body> {
        self.serve(request, Some(function)).await
    }

    async fn serve(&self, request: Request, only: Option<Function>) -> Response<Body> {
        match self.route(&request, only).await {
            Ok(response) => not_modified(&request, response),
            Err(problem) => problem_response(&problem),
        }
    }

    async fn route(&self, request: &Request, only: Option<Function>) -> Routed {
        let matched = match match_route(request.method().as_str(), request.uri().path()) {
            Ok(matched) if only.is_none_or(|f| f == matched.spec.function) => matched,
            Ok(_) | Err(Miss::NotFound) => {
                return Err(Problem::new(
                    StatusCode::NOT_FOUND,
                    "no_such_route",
                    format!("no route {} {}", request.method(), request.uri().path()),
                ));
            }
            Err(Miss::MethodNotAllowed(methods)) => {
                let allow = methods.join(", ");
                let mut response = problem_response(&Problem::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    format!("this path takes {allow}"),
                ));
                let allow = header::HeaderValue::from_str(&allow).expect("method names");
                response.headers_mut().insert(header::ALLOW, allow);
                return Ok(response);
            }
        };
        check_size(request)?;
        let actor = actor_of(request)?;
        let call = Call {
            request,
            actor,
            matched,
        };
        match call.matched.spec.id {
            RouteId::RegisterOrder => self.register_order(&call).await,
            RouteId::GetOrder => self.get_order(&call).await,
            RouteId::OrderDocuments => self.order_documents(&call).await,
            RouteId::GetDocument => self.get_document(&call).await,
            RouteId::PartnerOrders => self.partner_orders(&call).await,
            RouteId::PayoutRun => self.payout_run(&call).await,
            RouteId::Reconcile => self.reconcile(&call).await,
            RouteId::PutIssuer => self.put_issuer(&call).await,
            RouteId::GetIssuer => {
                let id: IssuerId = call.id("id", "issuer")?;
                let issuer = self.runner.read_issuer(&id, &call.actor).await?;
                Ok(respond(StatusCode::OK, &issuer, None))
            }
            RouteId::SetRebookFlag => {
                let body: bodies::RebookFlag = json(request)?;
                self.command(&call, |o, c| storno_core::set_rebook_flag(o, body.on, c))
                    .await
            }
            RouteId::RequestRebooking => {
                let body: bodies::RebookingRequest = json(request)?;
                self.command(&call, |o, c| {
                    storno_core::request_rebooking(o, &body.reason, &body.bookings, c)
                })
                .await
            }
            RouteId::DecideRebookingRequest => {
                let body: bodies::RequestDecision = json(request)?;
                let request_id: RequestId = call.id("rid", "rebooking request")?;
                self.command(&call, |o, c| {
                    storno_core::decide_rebooking_request(o, &request_id, body.approve, c)
                })
                .await
            }
            RouteId::Rebook => self.rebook(&call).await,
            RouteId::ReportCannotRun => {
                let body: bodies::CannotRun = json(request)?;
                self.command(&call, |o, c| {
                    storno_core::report_cannot_run(o, &body.bookings, c)
                })
                .await
            }
            RouteId::ReleasePayoutHold => {
                let body: bodies::DryRunOnly = json(request)?;
                self.command_or_dry_run(&call, body.dry_run, storno_core::release_payout_hold)
                    .await
            }
            RouteId::Ticket => self.ticket(&call).await,
            RouteId::CustomerCredit => self.customer_credit(&call).await,
            RouteId::PayOutCredit => self.pay_out_credit(&call).await,
            RouteId::PutPartner => self.put_partner(&call).await,
            RouteId::GetPartner => {
                let id: PartnerId = call.id("partnerId", "partner")?;
                let partner = self.runner.read_partner(&id, &call.actor).await?;
                Ok(respond(StatusCode::OK, &partner, None))
            }
            RouteId::PartnerAccount => self.partner_account(&call).await,
            RouteId::EditingInvoices => self.editing_invoices(&call).await,
            RouteId::ResolvePartnerCancellation => {
                let body: bodies::PartnerCancellationResolution = json(request)?;
                let decide = |o: &Order, c: &Context| {
                    storno_core::resolve_partner_cancellation(o, body.resolution, c)
                };
                self.command_or_dry_run(&call, body.dry_run, decide).await
            }
            RouteId::ProposeAlternativeDates => self.propose_alternative_dates(&call).await,
            RouteId::ChooseAlternativeDate => {
                let body: bodies::AlternativeChoice = json(request)?;
                self.command(&call, |o, c| {
                    storno_core::answer_alternative_dates(o, body.date.as_ref(), c)
                })
                .await
            }
            RouteId::CancelInvoice => {
                let body: bodies::Cancellation = json(request)?;
                let decide = |o: &Order, c: &Context| storno_core::cancel_invoice(o, &body.fee, c);
                self.command_or_dry_run(&call, body.dry_run, decide).await
            }
            RouteId::CancelBooking => {
                let body: bodies::Cancellation = json(request)?;
                let booking: BookingId = call.id("bid", "booking")?;
                let decide =
                    |o: &Order, c: &Context| storno_core::cancel_booking(o, &booking, &body.fee, c);
                self.command_or_dry_run(&call, body.dry_run, decide).await
            }
            RouteId::CancelOption => {
                let body: bodies::Cancellation = json(request)?;
                let booking: BookingId = call.id("bid", "booking")?;
                let option: OptionId = call.id("oid", "booking option")?;
                let decide = |o: &Order, c: &Context| {
                    storno_core::cancel_option(o, &booking, &option, &body.fee, c)
                };
                self.command_or_dry_run(&call, body.dry_run, decide).await
            }
            RouteId::UpdateInvoice => {
                let body: bodies::DryRunOnly = json(request)?;
                self.command_or_dry_run(&call, body.dry_run, storno_core::update_invoice)
                    .await
            }
            RouteId::CreateDate => self.create_date(&call).await,
            RouteId::UpdateDate => self.update_date(&call).await,
            RouteId::DateAttendees => self.attendees(&call).await,
            RouteId::RebookAll => {
                let body: bodies::RebookAll = json(request)?;
                let action = DateAction::RebookAll {
                    target: body.target,
                };
                self.date_action(&call, action, body.dry_run).await
            }
            RouteId::CancelAll => {
                let body: bodies::DryRunOnly = json(request)?;
                self.date_action(&call, DateAction::CancelAll, body.dry_run)
                    .await
            }
            RouteId::DateJob => self.date_job(&call).await,
        }
    }

    // --- order commands ---

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

    async fn rebook(&self, call: &Call<'_>) -> Routed {
        let body: bodies::Rebooking = json(call.request)?;
        let order = call.order()?;
        let request = storno_core::Rebooking {
            request: body.request.as_ref(),
            bookings: &body.bookings,
        };
        if body.dry_run {
            let date = self.date(&body.date).await?;
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
        Ok(respond(StatusCode::OK, &receipt, Some(receipt.version)))
    }

    /// A booking's ticket: the attendee on their date, with the reference they show.
    async fn ticket(&self, call: &Call<'_>) -> Routed {
        let order = self.runner.read_order(&call.order()?, &call.actor).await?;
        let booking_id: BookingId = call.id("bid", "booking")?;
        let booking = order.booking(&booking_id)?;
        Ok(respond(
            StatusCode::OK,
            &views::ticket(&order, booking),
            Some(order.revision),
        ))
    }

    /// A customer's credit account, its entries newest first (`?currency=`, default EUR).
    async fn customer_credit(&self, call: &Call<'_>) -> Routed {
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

    async fn put_partner(&self, call: &Call<'_>) -> Routed {
        let body: storno_core::NewPartner = json(call.request)?;
        let id: PartnerId = call.id("partnerId", "partner")?;
        let key = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(key.as_ref(), || async {
                let partner = self.runner.put_partner(id, body, &call.actor).await?;
                Ok::<_, Problem>((StatusCode::OK.as_u16(), to_json(&partner)))
            })
            .await?;
        Ok(stored_response(stored, None))
    }

    /// The partner's account (`?currency=`, default EUR): payable, open debits, payouts.
    async fn partner_account(&self, call: &Call<'_>) -> Routed {
        let partner: PartnerId = call.id("partnerId", "partner")?;
        let currency = currency_param(call.request)?;
        let limit = page_limit(call.request)?;
        let cursor = decode_cursor(call.request)?;
        let debits_cursor = super::request::decode_cursor_named(call.request, "debits_cursor")?;
        let mut account = self
            .runner
            .partner_account(
                &partner,
                currency,
                &call.actor,
                limit,
                (cursor, debits_cursor),
            )
            .await?;
        account.next_cursor = encode_cursor(account.next_cursor.take());
        account.debits_next_cursor = encode_cursor(account.debits_next_cursor.take());
        Ok(respond(StatusCode::OK, &account, None))
    }

    /// Staff pay out a customer's credit to the original payment (a refund), once.
    async fn pay_out_credit(&self, call: &Call<'_>) -> Routed {
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

    /// Orders whose invoice waits for its new version (and whose payout waits with it).
    async fn editing_invoices(&self, call: &Call<'_>) -> Routed {
        let limit = page_limit(call.request)?;
        let cursor = decode_cursor(call.request)?;
        let page = self
            .runner
            .editing_invoices(&call.actor, limit, cursor)
            .await?;
        Ok(self.summaries(page))
    }

    async fn propose_alternative_dates(&self, call: &Call<'_>) -> Routed {
        let body: bodies::AlternativeDates = json(call.request)?;
        // Reads at most one date more than may be proposed: the core refuses the count, and a
        // long list costs no more reads than that.
        let mut dates = Vec::new();
        for id in body.dates.iter().take(MAX_ALTERNATIVE_DATES + 1) {
            dates.push(self.date(id).await?);
        }
        self.command(call, |o, c| {
            storno_core::propose_alternative_dates(o, &dates, c)
        })
        .await
    }

    // --- reads ---

    async fn register_order(&self, call: &Call<'_>) -> Routed {
        let new: storno_core::NewOrder = json(call.request)?;
        // Canonical once: the order id's key and the header's key both bind it.
        let payload = super::request::canonical_body(call.request);
        let key = super::request::idempotency_of(call.request, &call.actor, &payload)?;
        let receipt = self
            .runner
            .register(new, &call.actor, &payload, key.as_ref())
            .await?;
        let mut response = respond(StatusCode::CREATED, &receipt, Some(receipt.version));
        let location = format!("/orders/{}", receipt.order);
        if let Ok(location) = header::HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    }

    async fn get_order(&self, call: &Call<'_>) -> Routed {
        let order = self.runner.read_order(&call.order()?, &call.actor).await?;
        let view = views::order(&order, &call.actor, self.runner.clock().now());
        Ok(respond(StatusCode::OK, &view, Some(order.revision)))
    }

    async fn order_documents(&self, call: &Call<'_>) -> Routed {
        let (order, documents) = self
            .runner
            .order_documents(&call.order()?, &call.actor)
            .await?;
        Ok(respond(
            StatusCode::OK,
            &json!({ "order": order.id, "documents": documents }),
            Some(order.revision),
        ))
    }

    async fn get_document(&self, call: &Call<'_>) -> Routed {
        // The URL-safe id (`CDC25-001-2`) or the printed number (`CDC25%2F001%2F2`).
        let printed = DocumentNumber::printed_from_id(call.param("number"));
        let document = self.runner.document(printed.as_str(), &call.actor).await?;
        let format = document_format(call.request)?;
        if format == Format::Json {
            return Ok(respond(StatusCode::OK, &document, None));
        }
        let render = self.settings.renderer.ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_ACCEPTABLE,
                "not_acceptable",
                "this function serves documents as JSON only",
            )
        })?;
        let bytes = render(&document, format).map_err(|error| {
            tracing::error!(document = %document.number, %error, "rendering failed");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "render_failed",
                "the document could not be rendered; it is stored unchanged",
            )
        })?;
        Ok(file_response(
            bytes,
            format.content_type(),
            &format.file_name(&document),
            format == Format::Pdf,
        ))
    }

    async fn partner_orders(&self, call: &Call<'_>) -> Routed {
        let partner: PartnerId = call.id("partnerId", "partner")?;
        let limit = page_limit(call.request)?;
        let cursor = decode_cursor(call.request)?;
        let page = self
            .runner
            .partner_orders(&partner, &call.actor, limit, cursor)
            .await?;
        Ok(self.summaries(page))
    }

    /// A page of orders as My Sales lines.
    fn summaries(&self, page: crate::app::Page<Order>) -> Response<Body> {
        let now = self.runner.clock().now();
        let items: Vec<_> = page.items.iter().map(|o| views::summary(o, now)).collect();
        respond(
            StatusCode::OK,
            &json!({ "items": items, "next_cursor": encode_cursor(page.next) }),
            None,
        )
    }

    async fn payout_run(&self, call: &Call<'_>) -> Routed {
        let body: bodies::DryRunOnly = json(call.request)?;
        call.actor.require_payout_scheduler()?;
        if body.dry_run {
            let preview = self
                .runner
                .preview_due_payouts(self.settings.payout_batch)
                .await?;
            let refusals = preview.would_refuse.iter();
            let body = json!({
                "as_of": self.runner.clock().now(),
                "dry_run": true,
                "would_release": preview.would_release,
                "would_refuse": refusals.map(|(order, code)| json!({"order": order, "code": code})).collect::<Vec<_>>(),
                "more": preview.more,
            });
            return Ok(respond(StatusCode::OK, &body, None));
        }
        let key = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(key.as_ref(), || async {
                let run = self
                    .runner
                    .release_and_chain(self.settings.payout_batch, &self.queue)
                    .await?;
                let expiry = self.runner.expire_credit(self.settings.payout_batch).await?;
                let body = json!({
                    "as_of": self.runner.clock().now(),
                    "released": run.released,
                    "refused": run.refused.iter().map(|(order, code)| json!({"order": order, "code": code})).collect::<Vec<_>>(),
                    "more": run.more,
                    "credit_expired": expiry.expired.iter().map(|(customer, amount)| json!({"customer": customer, "amount": amount})).collect::<Vec<_>>(),
                });
                Ok::<_, Problem>((StatusCode::OK.as_u16(), body.to_string()))
            })
            .await?;
        Ok(stored_response(stored, None))
    }

    async fn put_issuer(&self, call: &Call<'_>) -> Routed {
        let body: storno_core::NewIssuer = json(call.request)?;
        let id: IssuerId = call.id("id", "issuer")?;
        let key = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(key.as_ref(), || async {
                let issuer = self.runner.put_issuer(id, body, &call.actor).await?;
                Ok::<_, Problem>((StatusCode::OK.as_u16(), to_json(&issuer)))
            })
            .await?;
        Ok(stored_response(stored, None))
    }

    async fn reconcile(&self, call: &Call<'_>) -> Routed {
        let body: bodies::ReconciliationRun = json(call.request)?;
        call.actor.require_operations("run the reconciliation")?;
        if body.older_than_seconds > bodies::MAX_GRACE_SECONDS {
            return Err(Problem::bad_request(
                "invalid_body",
                format!(
                    "older_than_seconds is at most {} (ten years)",
                    bodies::MAX_GRACE_SECONDS
                ),
            ));
        }
        let grace = std::time::Duration::from_secs(body.older_than_seconds);
        // With `resend` it sends follow-ups again: a key makes a retry answer the first run.
        let key = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(key.as_ref(), || async {
                let report = crate::app::reconcile(
                    self.runner.store(),
                    &self.queue,
                    self.runner.store(),
                    self.runner.clock().now(),
                    grace,
                    RECONCILIATION_LIMIT,
                    body.resend,
                )
                .await
                .map_err(AppError::from)?;
                Ok::<_, Problem>((StatusCode::OK.as_u16(), to_json(&report)))
            })
            .await?;
        Ok(stored_response(stored, None))
    }

    // --- dates ---

    async fn date(&self, id: &DateId) -> Result<EventDate, Problem> {
        Ok(self.runner.date(id).await?)
    }

    async fn create_date(&self, call: &Call<'_>) -> Routed {
        let body: bodies::NewDate = json(call.request)?;
        let partner = match (&body.partner, &call.actor) {
            (Some(partner), _) => partner.clone(),
            (None, Actor::Partner(own)) => own.clone(),
            (None, _) => {
                return Err(Problem::bad_request(
                    "invalid_body",
                    "partner is required when staff or the system create a date",
                ));
            }
        };
        let time_zone = match &body.time_zone {
            Some(name) => TimeZone::parse(name)?,
            None => TimeZone::BERLIN,
        };
        let date = EventDate::new(
            body.id,
            partner,
            body.title,
            (body.starts_at, body.ends_at, time_zone),
            body.terms,
            &call.actor,
        )?;
        let key = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(key.as_ref(), || async {
                let created = self.runner.create_date(date.clone()).await?;
                Ok::<_, Problem>((StatusCode::CREATED.as_u16(), to_json(&created)))
            })
            .await?;
        Ok(stored_response(stored, None))
    }

    async fn update_date(&self, call: &Call<'_>) -> Routed {
        let body: bodies::DateUpdate = json(call.request)?;
        let id: DateId = call.id("id", "date")?;
        let key = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(key.as_ref(), || async {
                let date = self
                    .runner
                    .set_date_active(&id, body.active, &call.actor)
                    .await?;
                Ok::<_, Problem>((StatusCode::OK.as_u16(), to_json(&date)))
            })
            .await?;
        Ok(stored_response(stored, None))
    }

    async fn attendees(&self, call: &Call<'_>) -> Routed {
        let id: DateId = call.id("id", "date")?;
        let date = self.date(&id).await?;
        date.require_attendee_list_access(&call.actor)?;
        let orders = self.runner.orders_on_date(&id).await?;
        let attendees = storno_core::attendees_on(&id, orders.iter());
        Ok(respond(
            StatusCode::OK,
            &json!({ "date": id, "attendees": attendees }),
            None,
        ))
    }

    async fn date_action(&self, call: &Call<'_>, action: DateAction, dry_run: bool) -> Routed {
        let id: DateId = call.id("id", "date")?;
        if dry_run {
            let preview = self
                .runner
                .preview_date_action(&id, &action, &call.actor)
                .await?;
            return Ok(respond(StatusCode::OK, &preview, None));
        }
        let key = idempotency_key(call.request)?.ok_or_else(|| {
                Problem::bad_request(
                    "idempotency_key_required",
                    "starting a whole-date job needs an Idempotency-Key: the same key never starts it twice",
                )
            })?;
        let scoped = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(scoped.as_ref(), || async {
                let progress = self
                    .runner
                    .start_date_job(&id, &action, &call.actor, key, &self.queue)
                    .await?;
                Ok::<_, Problem>((
                    StatusCode::ACCEPTED.as_u16(),
                    to_json(&views::job(&progress)),
                ))
            })
            .await?;
        let job = serde_json::from_str::<serde_json::Value>(&stored.1)
            .ok()
            .and_then(|v| v["job"]["id"].as_str().map(str::to_owned));
        let location = job.map(|job| format!("/dates/{id}/jobs/{job}"));
        Ok(stored_response(stored, location))
    }

    async fn date_job(&self, call: &Call<'_>) -> Routed {
        let id: DateId = call.id("id", "date")?;
        let progress = self
            .runner
            .date_job(call.param("jobId"), &call.actor)
            .await?;
        if progress.job.date != id {
            return Err(Problem::not_found("job"));
        }
        let mut response = respond(StatusCode::OK, &views::job(&progress), None);
        if !progress.is_finished() {
            // Polling sooner shows nothing new: the follow-ups take about that long.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
        }
        Ok(response)
    }
}
