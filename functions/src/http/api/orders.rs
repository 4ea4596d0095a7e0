//! Orders: intake, reads, and the commands on an order (each with its dry run where it has
//! one).

use lambda_http::http::{StatusCode, header};
use storno_core::{BookingId, DocumentNumber, Order};
use storno_render::Format;

use super::super::answers;
use super::super::refusal::Refusal;
use super::super::request::{
    decode_cursor, document_format, encode_cursor, file_response, json, page_limit, respond,
};
use super::super::{order_view, views};
use super::{Api, Call, Routed};
use crate::app::{Clock, FollowUpPublisher, Queue};

impl<P, C, Q> Api<P, C, Q>
where
    P: FollowUpPublisher,
    C: Clock,
    Q: Queue,
{
    pub(super) async fn register_order(&self, call: &Call<'_>) -> Routed {
        let new: storno_core::NewOrder = json(call.request)?;
        // Canonical once: the order id's key and the header's key both bind it.
        let payload = super::super::request::canonical_body(call.request);
        let key = super::super::request::idempotency_of(call.request, &call.actor, &payload)?;
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

    pub(super) async fn get_order(&self, call: &Call<'_>) -> Routed {
        let order = self.runner.read_order(&call.order()?, &call.actor).await?;
        let view = order_view::order(&order, &call.actor, self.runner.clock().now());
        Ok(respond(StatusCode::OK, &view, Some(order.revision)))
    }

    pub(super) async fn order_documents(&self, call: &Call<'_>) -> Routed {
        let (order, documents) = self
            .runner
            .order_documents(&call.order()?, &call.actor)
            .await?;
        let answer = answers::OrderDocuments {
            order: &order.id,
            documents,
        };
        Ok(respond(StatusCode::OK, &answer, Some(order.revision)))
    }

    pub(super) async fn get_document(&self, call: &Call<'_>) -> Routed {
        // The URL-safe id (`CDC25-001-2`) or the printed number (`CDC25%2F001%2F2`).
        let printed = DocumentNumber::printed_from_id(call.param("number"));
        let document = self.runner.document(printed.as_str(), &call.actor).await?;
        let format = document_format(call.request)?;
        if format == Format::Json {
            return Ok(respond(StatusCode::OK, &document, None));
        }
        let render = self.settings.renderer.ok_or_else(|| {
            Refusal::NotAcceptable("this function serves documents as JSON only".into())
        })?;
        let bytes = render(&document, format).map_err(|error| {
            tracing::error!(document = %document.number, %error, "rendering failed");
            Refusal::RenderFailed
        })?;
        Ok(file_response(
            bytes,
            format.content_type(),
            &format.file_name(&document),
            format == Format::Pdf,
        ))
    }

    /// A booking's ticket: the attendee on their date, with the reference they show.
    pub(super) async fn ticket(&self, call: &Call<'_>) -> Routed {
        let order = self.runner.read_order(&call.order()?, &call.actor).await?;
        let booking_id: BookingId = call.id("bid", "booking")?;
        let booking = order.booking(&booking_id)?;
        let view = views::ticket(&order, booking);
        Ok(respond(StatusCode::OK, &view, Some(order.revision)))
    }

    pub(super) async fn partner_orders(&self, call: &Call<'_>) -> Routed {
        let partner = call.id("partnerId", "partner")?;
        let limit = page_limit(call.request)?;
        let cursor = decode_cursor(call.request)?;
        let page = self
            .runner
            .partner_orders(&partner, &call.actor, limit, cursor)
            .await?;
        Ok(self.summaries(page))
    }

    /// Orders whose invoice waits for its new version (and whose payout waits with it).
    pub(super) async fn editing_invoices(&self, call: &Call<'_>) -> Routed {
        let limit = page_limit(call.request)?;
        let cursor = decode_cursor(call.request)?;
        let page = self
            .runner
            .editing_invoices(&call.actor, limit, cursor)
            .await?;
        Ok(self.summaries(page))
    }

    /// A page of orders as My Sales lines.
    fn summaries(&self, page: crate::app::Page<Order>) -> lambda_http::Response<lambda_http::Body> {
        let now = self.runner.clock().now();
        let answer = answers::OrderPage {
            items: page.items.iter().map(|o| views::summary(o, now)).collect(),
            next_cursor: encode_cursor(page.next),
        };
        respond(StatusCode::OK, &answer, None)
    }
}
