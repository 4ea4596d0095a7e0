//! The API explorer at `/docs`: Swagger UI over `docs/openapi.json`, every file compiled into
//! the binary (works offline). Only storno-local serves it; the Lambda API has no such route.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{Response, StatusCode, header};
use swagger_ui_redist::{SwaggerUi, SwaggerUiStaticFile};

/// The contract the explorer shows: the same file the tests hold the routes to.
pub const SPEC: &str = include_str!("../../../docs/openapi.json");

const ROOT: &str = "/docs";

fn respond(content_type: &str, bytes: impl Into<Body>) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-cache")
        .body(bytes.into())
        .expect("a valid response")
}

/// The page: Swagger UI pointed at the spec, its files under `/docs/`.
pub async fn page() -> Response<Body> {
    let mut ui = SwaggerUi::new();
    ui.title("Storno API");
    ui.config().urls(["/docs/openapi.json"]);
    for file in SwaggerUiStaticFile::all() {
        ui.override_file_path(*file, format!("{ROOT}/{}", file.file_name()));
    }
    match ui.serve() {
        Ok(html) => respond("text/html; charset=utf-8", html),
        Err(error) => Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(Body::from(format!(
                "the explorer page could not be built: {error}"
            )))
            .expect("a valid response"),
    }
}

/// `/docs/openapi.json` and Swagger UI's own files.
pub async fn file(Path(name): Path<String>) -> Response<Body> {
    if name == "openapi.json" {
        return respond("application/json", SPEC);
    }
    let found = SwaggerUi::static_files()
        .iter()
        .find(|(file, _)| file.file_name() == name);
    let Some((_, bytes)) = found else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::empty())
            .expect("a valid response");
    };
    let content_type = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    respond(content_type, *bytes)
}
