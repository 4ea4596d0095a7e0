//! Every route × every kind of caller → the expected answer. A route of the router missing from
//! the matrix fails the test. An object of another tenant answers 404 exactly like a missing
//! one (zero leaks: the body is the same "not found" problem).

mod support;

use serde_json::{Value, json};
use storno_functions::http::{ROUTES, RouteId, RouteSpec};
use support::*;

/// Expected per caller after `Nobody` (always 401): owner customer, other customer, owner
/// partner, other partner, staff, system. `A` allowed (any answer but 401/403/404), `F` 403,
/// `H` 404 (hidden: another tenant's), `C` 403 customers_cannot_cancel.
fn expected(route: RouteId) -> &'static str {
    use RouteId::*;
    match route {
        RegisterOrder => "FFFFFA",
        GetOrder | OrderDocuments | GetDocument => "AHAHAA",
        PartnerOrders => "FFAHAF",
        PayoutRun => "FFFFFA",
        Reconcile => "FFFFAA",
        PutIssuer | GetIssuer => "FFFFAA",
        EditingInvoices => "FFFFAF",
        Ticket => "AHAHAA",
        CustomerCredit => "AHHHAF",
        PayOutCredit => "FFFFAF",
        PutPartner => "FFFFAA",
        GetPartner | PartnerAccount => "FFAHAA",
        ReleasePayoutHold => "FHFHAF",
        SetRebookFlag => "FHAHFF",
        RequestRebooking => "AHFHFF",
        DecideRebookingRequest => "FHAHFF",
        Rebook => "FHFHAF",
        ReportCannotRun => "FHAHFF",
        ResolvePartnerCancellation => "FHFHAF",
        ProposeAlternativeDates => "FHAHFF",
        ChooseAlternativeDate => "AHFHFF",
        CancelInvoice | CancelBooking | CancelOption => "CHFHAF",
        UpdateInvoice => "FHFHAF",
        CreateDate => "FFAFAA",
        UpdateDate => "FFAHAF",
        DateAttendees => "FFAHAF",
        RebookAll | CancelAll | DateJob => "FFFFAF",
    }
}

/// The world each route is tried in: two dates of partner-1, an order of customer-1 on the
/// first with an open rebooking request, a date without orders and a job on it.
struct World {
    app: App,
    request: String,
    document: String,
    job: String,
}

async fn world() -> World {
    let app = App::new().await;
    app.date("course-a", "partner-1", 14, 1, json!([])).await;
    app.date("course-b", "partner-1", 45, 1, json!([])).await;
    app.date("empty", "partner-1", 20, 1, json!([])).await;
    let receipt = app
        .order(order(
            "matrix-order",
            "customer-1",
            "partner-1",
            "course-a",
            "direct",
            "238.00",
            vec![vec![option("ws", "100")], vec![option("ws", "100")]],
        ))
        .await;
    let document = receipt["documents"][0]["number"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let requested = app
        .post(
            "/orders/matrix-order/rebooking-requests",
            CUSTOMER,
            json!({"reason": "ill"}),
        )
        .await
        .ok();
    let stored = app.get("/orders/matrix-order", Who::Staff).await.ok();
    let request = stored["rebooking_requests"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(requested["order"], "matrix-order");
    let job = app
        .raw(
            "POST",
            "/dates/empty/cancel-all",
            Who::Staff,
            b"{}".to_vec(),
            &[("idempotency-key", "matrix-job")],
        )
        .await
        .ok()["job"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        app,
        request,
        document,
        job,
    }
}

fn partner_billing() -> Value {
    json!({"billing": {
        "name": "Kurse", "address": {"street": "Am Markt 3", "postal_code": "50667", "city": "Köln", "country": "DE"},
        "email": "kurse@example.org"
    }})
}

/// The route's path and a valid body.
fn request_for(spec: &RouteSpec, world: &World) -> (String, Value) {
    let path = spec
        .path
        .replace(
            "{id}",
            if spec.path.starts_with("/dates") {
                "course-a"
            } else if spec.path.starts_with("/issuers") {
                "test-issuer"
            } else if spec.path.starts_with("/customers") {
                "customer-1"
            } else {
                "matrix-order"
            },
        )
        .replace("{bid}", "b0")
        .replace("{oid}", "ws")
        .replace("{rid}", &world.request)
        .replace("{partnerId}", "partner-1")
        .replace("{number}", &world.document.replace('/', "%2F"))
        .replace("{jobId}", &world.job);
    let path = if spec.id == RouteId::DateJob {
        path.replace("course-a", "empty")
    } else {
        path
    };
    use RouteId::*;
    let body = match spec.id {
        RegisterOrder => workshop_order("matrix-new"),
        SetRebookFlag => json!({"on": true}),
        RequestRebooking => json!({"reason": "ill"}),
        DecideRebookingRequest => json!({"approve": true}),
        Rebook => json!({"date": "course-b"}),
        ResolvePartnerCancellation => json!({"resolution": "rebooking_declined"}),
        ProposeAlternativeDates => json!({"dates": ["course-b"]}),
        ChooseAlternativeDate => json!({"date": "course-b"}),
        CancelInvoice | CancelBooking | CancelOption => json!({"fee": {"type": "none"}}),
        CreateDate => json!({
            "id": "new-date", "partner": "partner-1", "title": "New",
            "starts_at": "2031-05-01T09:00:00Z", "ends_at": "2031-05-01T17:00:00Z",
            "terms": {"tiers": []},
        }),
        UpdateDate => json!({"active": false}),
        PutIssuer => issuer_entry("T", "net"),
        PayOutCredit => json!({"currency": "EUR"}),
        PutPartner => partner_billing(),
        RebookAll => json!({"target": "course-b", "dry_run": true}),
        CancelAll => json!({"dry_run": true}),
        _ => json!({}),
    };
    (path, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let mut failures = Vec::new();
    for spec in ROUTES {
        let world = world().await;
        let (path, body) = request_for(spec, &world);
        let plan = expected(spec.id);
        for (index, who) in CALLERS.iter().enumerate() {
            let reply = if spec.method == "GET" {
                world.app.get(&path, *who).await
            } else {
                world
                    .app
                    .call(spec.method, &path, *who, Some(body.clone()))
                    .await
            };
            let want = if index == 0 {
                'U'
            } else {
                plan.as_bytes()[index - 1] as char
            };
            let fits = match want {
                'U' => reply.status == 401,
                'F' => reply.status == 403,
                'H' => reply.status == 404 && reply.code() == "not_found",
                'C' => reply.status == 403 && reply.code() == "customers_cannot_cancel",
                _ => ![401, 403, 404].contains(&reply.status) && reply.status < 500,
            };
            if !fits {
                failures.push(format!(
                    "{} as {who:?}: expected {want}, got {} {}",
                    spec.key(),
                    reply.status,
                    reply.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn another_tenants_order_is_indistinguishable_from_a_missing_one() {
    let world = world().await;
    let theirs = world.app.get("/orders/matrix-order", OTHER_CUSTOMER).await;
    let missing = world.app.get("/orders/no-such-order", OTHER_CUSTOMER).await;
    assert_eq!((theirs.status, missing.status), (404, 404));
    assert_eq!(
        theirs.body["detail"], missing.body["detail"],
        "the same problem for both"
    );
    let theirs = world
        .app
        .get(
            &format!("/documents/{}", world.document.replace('/', "%2F")),
            OTHER_PARTNER,
        )
        .await;
    let missing = world.app.get("/documents/T99%2F999", OTHER_PARTNER).await;
    assert_eq!(theirs.body, missing.body);
}
