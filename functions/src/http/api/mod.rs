//! The API: one request in, one response out. Each route parses its input, takes the caller
//! from the authorizer's claims, runs one use case and maps the result; every decision is the
//! core's. Anything a client sends that is not accepted answers 4xx with a problem document.
//!
//! The handlers sit by route group: `orders` (intake and reads), `commands` (commands on an
//! order),
//! `accounts` (issuers, partners, customer credit), `dates` (dates and whole-date jobs) and
//! `operations` (payout runs, reconciliation). [`Api::route`] is the table from route to
//! handler.

mod accounts;
mod commands;
mod dates;
mod operations;
mod orders;

use std::sync::Arc;

use lambda_http::http::{Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use storno_core::{Actor, DomainError, OrderId};

use storno_render::{Format, RenderError};

use super::identity::actor_of;
use super::problem::Problem;
use super::refusal::Refusal;
use super::request::{check_size, idempotency, problem_response};
use super::routes::{Function, Matched, Miss, RouteId, match_route};
use crate::app::{Clock, FollowUpPublisher, Queue, Runner};

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

pub struct Api<P, C, Q> {
    runner: Arc<Runner<P, C>>,
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
        T::try_from(self.param(name).to_owned()).map_err(|_| Refusal::NotFound(what).into())
    }

    fn order(&self) -> Result<OrderId, Problem> {
        self.id("id", "order")
    }
}

type Routed = Result<Response<Body>, Problem>;

fn to_json(value: &impl Serialize) -> String {
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

impl<P, C, Q> Api<P, C, Q>
where
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
{
    pub fn new(runner: Arc<Runner<P, C>>, queue: Q, settings: ApiSettings) -> Self {
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

    pub fn runner(&self) -> &Arc<Runner<P, C>> {
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
        let call = match self.accept(&request, only) {
            Ok(call) => call,
            Err(answer) => return *answer,
        };
        match self.route(&call).await {
            Ok(response) => not_modified(&request, response),
            Err(problem) => problem_response(&problem),
        }
    }

    /// The route, the size and the caller of a request, or the answer refusing it.
    fn accept<'r>(
        &self,
        request: &'r Request,
        only: Option<Function>,
    ) -> Result<Call<'r>, Box<Response<Body>>> {
        let matched = match match_route(request.method().as_str(), request.uri().path()) {
            Ok(matched) if only.is_none_or(|f| f == matched.spec.function) => matched,
            Ok(_) | Err(Miss::NotFound) => {
                let refusal = Refusal::NoSuchRoute {
                    method: request.method().to_string(),
                    path: request.uri().path().to_owned(),
                };
                return Err(Box::new(problem_response(&refusal.into())));
            }
            Err(Miss::MethodNotAllowed(methods)) => {
                let allow = methods.join(", ");
                let refusal = Refusal::MethodNotAllowed {
                    allow: allow.clone(),
                };
                let mut response = problem_response(&refusal.into());
                let allow = header::HeaderValue::from_str(&allow).expect("method names");
                response.headers_mut().insert(header::ALLOW, allow);
                return Err(Box::new(response));
            }
        };
        let refused = |problem: Problem| Box::new(problem_response(&problem));
        check_size(request).map_err(refused)?;
        let actor = actor_of(request).map_err(refused)?;
        Ok(Call {
            request,
            actor,
            matched,
        })
    }

    /// The route table: each route to its handler.
    async fn route(&self, call: &Call<'_>) -> Routed {
        use RouteId::*;
        match call.matched.spec.id {
            RegisterOrder => self.register_order(call).await,
            GetOrder => self.get_order(call).await,
            OrderDocuments => self.order_documents(call).await,
            GetDocument => self.get_document(call).await,
            Ticket => self.ticket(call).await,
            PartnerOrders => self.partner_orders(call).await,
            EditingInvoices => self.editing_invoices(call).await,
            SetRebookFlag => self.set_rebook_flag(call).await,
            RequestRebooking => self.request_rebooking(call).await,
            DecideRebookingRequest => self.decide_rebooking_request(call).await,
            ReportCannotRun => self.report_cannot_run(call).await,
            ChooseAlternativeDate => self.choose_alternative_date(call).await,
            ReleasePayoutHold => self.release_payout_hold(call).await,
            ResolvePartnerCancellation => self.resolve_partner_cancellation(call).await,
            CancelInvoice => self.cancel_invoice(call).await,
            CancelBooking => self.cancel_booking(call).await,
            CancelOption => self.cancel_option(call).await,
            UpdateInvoice => self.update_invoice(call).await,
            Rebook => self.rebook(call).await,
            ProposeAlternativeDates => self.propose_alternative_dates(call).await,
            PutIssuer => self.put_issuer(call).await,
            GetIssuer => self.get_issuer(call).await,
            PutPartner => self.put_partner(call).await,
            GetPartner => self.get_partner(call).await,
            PartnerAccount => self.partner_account(call).await,
            CustomerCredit => self.customer_credit(call).await,
            PayOutCredit => self.pay_out_credit(call).await,
            PayoutRun => self.payout_run(call).await,
            Reconcile => self.reconcile(call).await,
            CreateDate => self.create_date(call).await,
            UpdateDate => self.update_date(call).await,
            DateAttendees => self.attendees(call).await,
            RebookAll | CancelAll => self.date_action(call).await,
            DateJob => self.date_job(call).await,
        }
    }

    /// Runs `work` at most once per the request's `Idempotency-Key` (a retry answers the
    /// stored response) and answers its value with `status`.
    async fn once<T, F, Fut>(&self, call: &Call<'_>, status: StatusCode, work: F) -> Routed
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Problem>>,
    {
        let key = idempotency(call.request, &call.actor)?;
        let stored = self
            .runner
            .once(key.as_ref(), || async {
                let value = work().await?;
                Ok::<_, Problem>((status.as_u16(), to_json(&value)))
            })
            .await?;
        Ok(stored_response(stored, None))
    }
}
