//! Reading a request: the body as JSON within the size limit, the `Idempotency-Key` (hashed
//! with method, path and body), `If-Match`, and page parameters; writing JSON responses.

use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use storno_core::Actor;

use super::Problem;
use super::identity::caller_key;
use super::refusal::Refusal;
use crate::app::Idempotency;

/// The largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn body_bytes(request: &Request) -> &[u8] {
    match request.body() {
        Body::Empty => b"",
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => b"",
    }
}

/// The body as an idempotency key compares it: JSON with its insignificant whitespace and key
/// order taken out (a client that re-serialises its retry sends the same request), anything
/// else byte for byte.
pub fn canonical_body(request: &Request) -> std::borrow::Cow<'_, [u8]> {
    let bytes = body_bytes(request);
    // An empty body reads as `{}` (see [`json`]): the same request.
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return std::borrow::Cow::Borrowed(b"{}");
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => {
            let mut out = Vec::with_capacity(bytes.len());
            write_canonical(&value, &mut out);
            std::borrow::Cow::Owned(out)
        }
        Err(_) => std::borrow::Cow::Borrowed(bytes),
    }
}

fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (index, (key, value)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(serde_json::Value::from(key.as_str()).to_string().as_bytes());
                out.push(b':');
                write_canonical(value, out);
            }
            out.push(b'}');
        }
        serde_json::Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => out.extend_from_slice(scalar.to_string().as_bytes()),
    }
}

/// The body as `T`; an empty body reads as `{}` (routes whose fields are all optional). A
/// body declared as anything but JSON is refused (415), not guessed at.
pub fn json<T: DeserializeOwned>(request: &Request) -> Result<T, Problem> {
    let bytes = body_bytes(request);
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        require_json(request)?;
        bytes
    };
    serde_json::from_slice(bytes).map_err(|error| {
        if error.is_syntax() || error.is_eof() {
            Refusal::MalformedJson(error.to_string()).into()
        } else {
            Refusal::InvalidBody(error.to_string()).into()
        }
    })
}

/// `Content-Type` absent, `application/json` or a `+json` type.
fn require_json(request: &Request) -> Result<(), Problem> {
    let Some(declared) = request.headers().get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media = declared
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if media == "application/json"
        || (media.starts_with("application/") && media.ends_with("+json"))
    {
        return Ok(());
    }
    Err(Refusal::UnsupportedMediaType(media).into())
}

/// Refuses bodies above the limit before anything reads them.
pub fn check_size(request: &Request) -> Result<(), Problem> {
    let size = body_bytes(request).len();
    if size > BODY_LIMIT {
        return Err(Refusal::BodyTooLarge {
            size: format!("{size} bytes"),
            limit: BODY_LIMIT,
        }
        .into());
    }
    Ok(())
}

/// The caller's `Idempotency-Key`, scoped to the caller and bound to method, path and body.
pub fn idempotency(request: &Request, actor: &Actor) -> Result<Option<Idempotency>, Problem> {
    if idempotency_key(request)?.is_none() {
        return Ok(None);
    }
    idempotency_of(request, actor, &canonical_body(request))
}

/// [`idempotency`] for a caller that already holds the request's [`canonical_body`].
pub fn idempotency_of(
    request: &Request,
    actor: &Actor,
    canonical: &[u8],
) -> Result<Option<Idempotency>, Problem> {
    let Some(key) = idempotency_key(request)? else {
        return Ok(None);
    };
    let mut payload = Vec::new();
    payload.extend_from_slice(request.method().as_str().as_bytes());
    payload.push(b' ');
    payload.extend_from_slice(request.uri().path().as_bytes());
    payload.push(b'\n');
    payload.extend_from_slice(canonical);
    Ok(Some(Idempotency::new(caller_key(actor), key, &payload)))
}

/// The `Idempotency-Key` header as sent, if any (1 to 255 visible ASCII characters).
pub fn idempotency_key(request: &Request) -> Result<Option<&str>, Problem> {
    let Some(value) = request.headers().get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .map(Some)
        .ok_or_else(|| Refusal::InvalidIdempotencyKey.into())
}

/// `If-Match: "3"` (or `W/"3"`, or `3`) → `Some(3)`; absent or `*` → `None`.
pub fn if_match(request: &Request) -> Result<Option<u64>, Problem> {
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse()
        .map(Some)
        .map_err(|_| Refusal::InvalidIfMatch.into())
}

/// A query parameter.
pub fn query<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    let query = request.uri().query()?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    })
}

/// A JSON response, with the order's version as `ETag` when there is one.
pub fn respond(status: StatusCode, value: &impl Serialize, etag: Option<u64>) -> Response<Body> {
    let body = serde_json::to_string(value).expect("responses serialise");
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(version) = etag {
        response = response.header(header::ETAG, format!("\"{version}\""));
    }
    response.body(Body::Text(body)).expect("a valid response")
}

pub fn problem_response(problem: &Problem) -> Response<Body> {
    let body = problem.to_json();
    let mut response = Response::builder()
        .status(problem.status())
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )
        .body(Body::Text(body))
        .expect("a valid response");
    if problem.status == 401 {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if let Some(seconds) = problem.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Cursors are opaque to clients: the store's page key, hex-encoded.
pub fn encode_cursor(cursor: Option<String>) -> Option<String> {
    cursor.map(|c| c.bytes().map(|b| format!("{b:02x}")).collect())
}

pub fn decode_cursor(request: &Request) -> Result<Option<String>, Problem> {
    decode_cursor_named(request, "cursor")
}

/// A cursor sent under another query parameter (a listing with two pages, e.g. a partner's
/// payouts and debit entries).
pub fn decode_cursor_named(request: &Request, name: &str) -> Result<Option<String>, Problem> {
    let Some(hex) = query(request, name) else {
        return Ok(None);
    };
    let invalid = || Problem::from(Refusal::InvalidCursor);
    if hex.len() % 2 != 0 || hex.len() > 2048 {
        return Err(invalid());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    // The store's cursors are JSON objects of strings: anything else was not ours.
    serde_json::from_str::<std::collections::BTreeMap<String, String>>(&text)
        .map_err(|_| invalid())?;
    Ok(Some(text))
}

/// The `currency` query parameter (an ISO 4217 code); EUR when absent.
pub fn currency_param(request: &Request) -> Result<storno_core::Currency, Problem> {
    match query(request, "currency") {
        None => Ok(storno_core::Currency::EUR),
        Some(code) => serde_json::from_value(serde_json::Value::String(code.to_owned()))
            .map_err(|_| Problem::from(Refusal::UnknownCurrency(code.to_string()))),
    }
}

/// `limit` between 1 and 100 (default 25).
pub fn page_limit(request: &Request) -> Result<usize, Problem> {
    match query(request, "limit") {
        None => Ok(25),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| Refusal::InvalidLimit.into()),
    }
}

/// The form a document is asked for: `?format=json|cii|ubl|pdf` (links and browsers), else the
/// `Accept` header (`application/pdf`; `application/xml` or `text/xml` mean CII; JSON by
/// default and for `*/*`).
pub fn document_format(request: &Request) -> Result<storno_render::Format, Problem> {
    use storno_render::Format;
    if let Some(name) = query(request, "format") {
        return Format::parse(name)
            .ok_or_else(|| Problem::from(Refusal::InvalidFormat(name.to_string())));
    }
    let Some(accept) = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(Format::Json);
    };
    for media in accept.split(',') {
        let media = media.split(';').next().unwrap_or_default().trim();
        match media.to_ascii_lowercase().as_str() {
            "application/json" | "*/*" | "application/*" => return Ok(Format::Json),
            "application/pdf" => return Ok(Format::Pdf),
            "application/xml" | "text/xml" => return Ok(Format::Cii),
            _ => {}
        }
    }
    Err(Refusal::NotAcceptable(format!(
        "a document is served as application/json, application/pdf or application/xml (CII; UBL with ?format=ubl), not {accept}"
    ))
    .into())
}

/// A rendered document: its bytes, media type and the file name to save it under.
pub fn file_response(
    bytes: Vec<u8>,
    content_type: &str,
    file_name: &str,
    inline: bool,
) -> Response<Body> {
    let disposition = if inline { "inline" } else { "attachment" };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"{file_name}\""),
        )
        .body(Body::Binary(bytes))
        .expect("a valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_body(body: &str) -> Request {
        Request::new(Body::Text(body.to_owned()))
    }

    #[test]
    fn a_json_body_compares_without_whitespace_and_key_order_but_with_its_values() {
        let first = with_body(r#"{"b": [1, {"y": 2, "x": "1.00"}], "a": true}"#);
        let again = with_body("{\n  \"a\": true,\n  \"b\": [1, {\"x\": \"1.00\", \"y\": 2}]\n}");
        assert_eq!(canonical_body(&first), canonical_body(&again));
        let other = with_body(r#"{"a": true, "b": [1, {"x": "1.0", "y": 2}]}"#);
        assert_ne!(canonical_body(&first), canonical_body(&other));
        let text = with_body("not json");
        assert_eq!(&*canonical_body(&text), b"not json");
        assert_eq!(
            canonical_body(&with_body("")),
            canonical_body(&with_body("{ }"))
        );
    }
}
