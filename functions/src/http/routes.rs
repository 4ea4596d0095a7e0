//! Every route of the API in one table: method, path template, the Lambda function
//! that serves it. The router, the OpenAPI check and the authorization matrix all read this
//! table, so a route cannot exist in one and be missing from the others.

/// The Lambda functions the routes are grouped into (the binaries of the design card).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Orders,
    /// Money and repair routes, apart from the catch-all: payout runs, credit payouts, the
    /// reconciliation (its own role and policy).
    Operations,
    Dates,
    RebookToggle,
    CancelInvoice,
    CancelBooking,
    CancelOption,
    UpdateInvoice,
}

impl Function {
    pub const ALL: [Function; 8] = [
        Function::Orders,
        Function::Operations,
        Function::Dates,
        Function::RebookToggle,
        Function::CancelInvoice,
        Function::CancelBooking,
        Function::CancelOption,
        Function::UpdateInvoice,
    ];

    /// The binary's name.
    pub fn name(self) -> &'static str {
        match self {
            Function::Orders => "orders",
            Function::Operations => "operations",
            Function::Dates => "dates",
            Function::RebookToggle => "rebook-toggle",
            Function::CancelInvoice => "cancel-invoice",
            Function::CancelBooking => "cancel-booking",
            Function::CancelOption => "cancel-option",
            Function::UpdateInvoice => "update-invoice",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteId {
    RegisterOrder,
    GetOrder,
    OrderDocuments,
    GetDocument,
    PartnerOrders,
    PayoutRun,
    Reconcile,
    PutIssuer,
    GetIssuer,
    EditingInvoices,
    Ticket,
    CustomerCredit,
    PayOutCredit,
    PutPartner,
    GetPartner,
    PartnerAccount,
    ReleasePayoutHold,
    SetRebookFlag,
    RequestRebooking,
    DecideRebookingRequest,
    Rebook,
    ReportCannotRun,
    ResolvePartnerCancellation,
    ProposeAlternativeDates,
    ChooseAlternativeDate,
    CancelInvoice,
    CancelBooking,
    CancelOption,
    UpdateInvoice,
    CreateDate,
    UpdateDate,
    DateAttendees,
    RebookAll,
    CancelAll,
    DateJob,
}

#[derive(Debug)]
pub struct RouteSpec {
    pub id: RouteId,
    pub method: &'static str,
    /// `{name}` marks a path parameter (one segment).
    pub path: &'static str,
    pub function: Function,
}

impl RouteSpec {
    /// Changes state (takes an `Idempotency-Key`).
    pub fn is_mutating(&self) -> bool {
        self.method != "GET"
    }

    /// `"POST /orders/{id}/cancel"`: the API Gateway route key.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

macro_rules! routes {
    ($($id:ident $method:literal $path:literal => $function:ident),* $(,)?) => {
        pub const ROUTES: &[RouteSpec] = &[
            $(RouteSpec { id: RouteId::$id, method: $method, path: $path, function: Function::$function }),*
        ];
    };
}

routes! {
    RegisterOrder "POST" "/orders" => Orders,
    GetOrder "GET" "/orders/{id}" => Orders,
    OrderDocuments "GET" "/orders/{id}/documents" => Orders,
    GetDocument "GET" "/documents/{number}" => Orders,
    PartnerOrders "GET" "/partners/{partnerId}/orders" => Orders,
    PayoutRun "POST" "/payout-runs" => Operations,
    Reconcile "POST" "/reconciliations" => Operations,
    PutIssuer "PUT" "/issuers/{id}" => Orders,
    GetIssuer "GET" "/issuers/{id}" => Orders,
    EditingInvoices "GET" "/invoices/editing" => Orders,
    Ticket "GET" "/orders/{id}/bookings/{bid}/ticket" => Orders,
    CustomerCredit "GET" "/customers/{id}/credit" => Orders,
    PayOutCredit "POST" "/customers/{id}/credit/payouts" => Operations,
    PutPartner "PUT" "/partners/{partnerId}" => Orders,
    GetPartner "GET" "/partners/{partnerId}" => Orders,
    PartnerAccount "GET" "/partners/{partnerId}/account" => Orders,
    SetRebookFlag "PUT" "/orders/{id}/rebook-flag" => RebookToggle,
    RequestRebooking "POST" "/orders/{id}/rebooking-requests" => RebookToggle,
    DecideRebookingRequest "POST" "/orders/{id}/rebooking-requests/{rid}/decision" => RebookToggle,
    Rebook "POST" "/orders/{id}/rebookings" => RebookToggle,
    ReportCannotRun "POST" "/orders/{id}/partner-cancellation" => RebookToggle,
    ResolvePartnerCancellation "POST" "/orders/{id}/partner-cancellation/resolution" => RebookToggle,
    ReleasePayoutHold "POST" "/orders/{id}/payout-hold/release" => RebookToggle,
    ProposeAlternativeDates "POST" "/orders/{id}/alternative-dates" => RebookToggle,
    ChooseAlternativeDate "POST" "/orders/{id}/alternative-dates/choice" => RebookToggle,
    CancelInvoice "POST" "/orders/{id}/cancel" => CancelInvoice,
    CancelBooking "POST" "/orders/{id}/bookings/{bid}/cancel" => CancelBooking,
    CancelOption "POST" "/orders/{id}/bookings/{bid}/options/{oid}/cancel" => CancelOption,
    UpdateInvoice "POST" "/orders/{id}/invoice/update" => UpdateInvoice,
    CreateDate "POST" "/dates" => Dates,
    UpdateDate "PATCH" "/dates/{id}" => Dates,
    DateAttendees "GET" "/dates/{id}/attendees" => Dates,
    RebookAll "POST" "/dates/{id}/rebook-all" => Dates,
    CancelAll "POST" "/dates/{id}/cancel-all" => Dates,
    DateJob "GET" "/dates/{id}/jobs/{jobId}" => Dates,
}

/// A matched route and its decoded path parameters.
#[derive(Debug)]
pub struct Matched {
    pub spec: &'static RouteSpec,
    pub params: Vec<(&'static str, String)>,
}

impl Matched {
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// Why no route matched.
#[derive(Debug, PartialEq, Eq)]
pub enum Miss {
    NotFound,
    /// The path exists with other methods.
    MethodNotAllowed(Vec<&'static str>),
}

/// Finds the route of a request. Segments are percent-decoded after splitting, so a document
/// number such as `CDC25/001` travels as `CDC25%2F001`.
pub fn match_route(method: &str, path: &str) -> Result<Matched, Miss> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let mut methods = Vec::new();
    for spec in ROUTES {
        let template: Vec<&str> = spec.path.split('/').skip(1).collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut params = Vec::new();
        let fits = template.iter().zip(&segments).all(|(t, s)| {
            match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                Some(name) => match percent_decode(s) {
                    Some(value) if !value.is_empty() => {
                        params.push((name, value));
                        true
                    }
                    _ => false,
                },
                None => t == s,
            }
        });
        if !fits {
            continue;
        }
        if spec.method == method {
            return Ok(Matched { spec, params });
        }
        methods.push(spec.method);
    }
    if methods.is_empty() {
        Err(Miss::NotFound)
    } else {
        Err(Miss::MethodNotAllowed(methods))
    }
}

fn percent_decode(segment: &str) -> Option<String> {
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_matches_its_own_template_and_only_it() {
        for spec in ROUTES {
            let path = spec.path.replace('{', "x").replace('}', "");
            let matched = match_route(spec.method, &path).unwrap();
            assert_eq!(matched.spec.id, spec.id, "{}", spec.key());
        }
    }

    #[test]
    fn parameters_are_decoded_and_methods_are_told_apart() {
        let matched = match_route("GET", "/documents/CDC25%2F001%2F2").unwrap();
        assert_eq!(matched.param("number"), "CDC25/001/2");
        assert_eq!(
            match_route("DELETE", "/orders/o-1").unwrap_err(),
            Miss::MethodNotAllowed(vec!["GET"])
        );
        assert_eq!(match_route("GET", "/nowhere").unwrap_err(), Miss::NotFound);
        assert_eq!(
            match_route("GET", "/orders//documents").unwrap_err(),
            Miss::NotFound
        );
    }
}
