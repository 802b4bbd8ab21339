//! One error type for the site, turned into a response in one place: an
//! HTML page in the site's style for pages, a JSON envelope for the API.
//! Messages never carry internals (no stack traces, no SQL).
//!
//! A handler returns its [`AppError`] as it is; the `render_errors`
//! middleware makes it the page (in the path's language) or the JSON
//! envelope (under `/api/`) that the request asked for.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::http::i18n::Lang;

/// What went wrong with a request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// Nothing there.
    #[error("{0}")]
    NotFound(String),
    /// A malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// Not allowed for this visitor (or a missing or wrong form token).
    #[error("{0}")]
    Forbidden(String),
    /// Too many attempts: wait and retry.
    #[error("{0}")]
    TooMany(String),
    /// The request's body is larger than the route accepts.
    #[error("{0}")]
    TooLarge(String),
    /// Our fault (the message is generic).
    #[error("internal error")]
    Internal,
}

/// Our fault: logs `cause` once, with the request's span (id, method,
/// route), and gives the generic error the client sees.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    tracing::error!(%cause, "internal error");
    AppError::Internal
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A handler may return an `AppError` as it is: the response carries it, and
/// `render_errors` makes it the page (in the path's language) or the JSON
/// envelope (under `/api/`) that the request asked for.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        res.extensions_mut().insert(self);
        res
    }
}

/// Renders the errors that handlers returned as they are (see
/// `impl IntoResponse for AppError`), keeping their headers.
pub(crate) async fn render_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    match res.extensions().get::<AppError>().cloned() {
        Some(e) => {
            let mut page = respond(&path, e);
            for (name, value) in res.headers() {
                if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
                    page.headers_mut().append(name.clone(), value.clone());
                }
            }
            page
        }
        None => res,
    }
}

/// An error of the JSON API: `{"error": {"status": 404, "message": "…"}}`.
#[derive(Debug)]
struct ApiError(AppError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let body = serde_json::json!({"error": {"status": status.as_u16(), "message": self.0.to_string()}});
        (status, axum::Json(body)).into_response()
    }
}

/// An error of an HTML page, rendered in the page's language.
#[derive(Debug)]
struct PageError(Lang, AppError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(lang, e) = self;
        let status = e.status();
        let html = crate::http::render::render_error(lang, &e);
        (status, Html(html)).into_response()
    }
}

impl From<cantiere_store::Error> for AppError {
    fn from(e: cantiere_store::Error) -> Self {
        use cantiere_store::Error as E;
        match e {
            e @ E::Invalid { .. } => AppError::BadRequest(e.to_string()),
            E::NotAllowed(m) => AppError::Forbidden(m),
            E::NotFound(m) => AppError::NotFound(format!("{m} does not exist")),
            rows @ E::Rows { .. } => AppError::BadRequest(rows.to_string()),
            e => internal(e),
        }
    }
}

/// The error response for a request to `path` that no handler answered (a
/// middleware refused it): JSON under `/api/`, else a page in the path's
/// language.
pub(crate) fn respond(path: &str, e: AppError) -> Response {
    if path.starts_with("/api/") {
        return ApiError(e).into_response();
    }
    let lang = path.split('/').nth(1).and_then(Lang::parse).unwrap_or(Lang::It);
    PageError(lang, e).into_response()
}
