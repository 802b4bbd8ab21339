//! What a community handler is given before it runs, so that it holds the
//! domain step only: the hub and the page's language ([`Ctx`]), the visitor
//! ([`Viewer`]), the community and the id named in the path
//! ([`InCommunity`], [`Item`], [`PathId`]), and a posted form read and
//! checked ([`Posted`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use cantiere_store::adoption::Editor;
use cantiere_store::community::{Account, Community, Grants};
use serde::Serialize;

use super::Hub;
use super::auth::{self, CSRF_COOKIE};
use crate::http::SiteState;
use crate::http::error::AppError;
use crate::http::i18n::Lang;
use crate::http::query::Params;

/// The communities' hub (their routes are mounted only on a site that has one).
pub(crate) struct HubState(pub Arc<Hub>);

impl FromRequestParts<SiteState> for HubState {
    type Rejection = AppError;

    async fn from_request_parts(_: &mut Parts, site: &SiteState) -> Result<Self, Self::Rejection> {
        site.hub.clone().map(HubState).ok_or_else(|| AppError::NotFound("this site has no communities".into()))
    }
}

/// The hub and the language of the page (from the path).
pub(crate) struct Ctx {
    pub hub: Arc<Hub>,
    pub lang: Lang,
}

impl FromRequestParts<SiteState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, site: &SiteState) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, site).await?;
        let HubState(hub) = HubState::from_request_parts(parts, site).await?;
        Ok(Ctx { hub, lang })
    }
}

/// Who is asking, and what they may do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Viewer {
    /// The account, if signed in.
    pub account: Option<Account>,
    /// Its scoped roles.
    pub grants: Grants,
    /// The form token to put in forms.
    pub csrf: String,
}

impl Viewer {
    /// A platform admin.
    pub(super) fn admin(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.is_admin)
    }

    /// A coordinator of the community (or an admin).
    pub(super) fn coordinates(&self, community: i64) -> bool {
        self.admin() || self.grants.coordinator_of.contains(&community)
    }

    /// The editor acting for administration `ipa`, if this visitor is one.
    pub(super) fn edits(&self, ipa: &str) -> Option<Editor> {
        let a = self.account.as_ref()?;
        self.grants.editor_of.iter().any(|e| e == ipa).then(|| Editor { name: a.name.clone(), codice_ipa: ipa.into() })
    }

    /// The account's id, or "sign in first".
    pub(super) fn id(&self) -> Result<i64, AppError> {
        self.account.as_ref().map(|a| a.id).ok_or_else(|| AppError::Forbidden("sign in first".into()))
    }

    /// The visitor of a request: its session's account and roles, or an
    /// anonymous visitor with the form token this server issued to it.
    async fn of(hub: &Hub, headers: &HeaderMap) -> Result<Viewer, AppError> {
        let Some(session) = auth::session(&hub.store, headers).await? else {
            let csrf = auth::cookie(headers, CSRF_COOKIE)
                .filter(|c| hub.form_key.issued(c))
                .map(str::to_string)
                .unwrap_or_default();
            return Ok(Viewer { csrf, ..Viewer::default() });
        };
        let grants = hub.store.community().grants(session.account.id).await?;
        Ok(Viewer { account: Some(session.account.clone()), grants, csrf: session.csrf.clone() })
    }
}

impl FromRequestParts<SiteState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, site: &SiteState) -> Result<Self, Self::Rejection> {
        let HubState(hub) = HubState::from_request_parts(parts, site).await?;
        Viewer::of(&hub, &parts.headers).await
    }
}

/// A path parameter by name.
async fn path_param(parts: &mut Parts, site: &SiteState, name: &str) -> Result<String, AppError> {
    let params = RawPathParams::from_request_parts(parts, site)
        .await
        .map_err(|e| AppError::BadRequest(format!("the path: {e}")))?;
    let value = params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    value.ok_or_else(|| AppError::NotFound(format!("no `{name}` in the path")))
}

/// The community named by the path's `{slug}` (404 for a malformed or
/// unknown slug).
pub(crate) struct InCommunity(pub Community);

impl FromRequestParts<SiteState> for InCommunity {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, site: &SiteState) -> Result<Self, Self::Rejection> {
        let slug = path_param(parts, site, "slug").await?;
        let HubState(hub) = HubState::from_request_parts(parts, site).await?;
        if cantiere_store::community::slug("slug", &slug).ok().as_deref() != Some(slug.as_str()) {
            return Err(AppError::NotFound(format!("community `{slug}`")));
        }
        Ok(InCommunity(hub.store.community().community_by_slug(&slug).await?))
    }
}

/// The numeric `{id}` of the path: digits only (no sign, no spaces), or 404.
pub(crate) struct PathId(pub i64);

impl FromRequestParts<SiteState> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, site: &SiteState) -> Result<Self, Self::Rejection> {
        let text = path_param(parts, site, "id").await?;
        Some(text.as_str())
            .filter(|t| !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse().ok())
            .map(PathId)
            .ok_or_else(|| AppError::NotFound(format!("no item `{text}`")))
    }
}

/// The community of the path's `{slug}` and the `{id}` of one of its items
/// (a meeting, a thread, a consultation, a proposal, a membership).
pub(crate) struct Item(pub Community, pub i64);

impl FromRequestParts<SiteState> for Item {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, site: &SiteState) -> Result<Self, Self::Rejection> {
        let InCommunity(comm) = InCommunity::from_request_parts(parts, site).await?;
        let PathId(id) = PathId::from_request_parts(parts, site).await?;
        Ok(Item(comm, id))
    }
}

/// A posted form, read and checked before the handler runs: the visitor,
/// and the fields once the form token was found right (and the account's
/// posts within their limit). A refused form is the site's error page, in
/// the path's language; a body over the limit is 413.
pub(crate) struct Posted(pub Viewer, pub Params);

impl FromRequest<SiteState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, site: &SiteState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let HubState(hub) =
            HubState::from_request_parts(&mut parts, site).await.map_err(IntoResponse::into_response)?;
        let headers = parts.headers.clone();
        let bytes =
            Bytes::from_request(Request::from_parts(parts, body), site).await.map_err(IntoResponse::into_response)?;
        let checked = async {
            let v = Viewer::of(&hub, &headers).await?;
            let f = Params::form(&bytes)?;
            check_token(&v, f.get("csrf"))?;
            if let Some(a) = &v.account
                && !hub.limiter.hit(&format!("post:{}", a.id), hub.limits.posts_per_account)
            {
                return Err(AppError::TooMany("too many posts from this account: wait a minute".into()));
            }
            Ok(Posted(v, f))
        };
        checked.await.map_err(IntoResponse::into_response)
    }
}

/// The form token rule: the session's token, or before sign-in the
/// double-submit cookie's, which this server must have issued
/// ([`Viewer`] keeps it only then).
pub(super) fn check_token(v: &Viewer, sent: &str) -> Result<(), AppError> {
    let expected = v.csrf.as_str();
    if sent.is_empty() || expected.is_empty() || !auth::same(sent, expected) {
        return Err(AppError::Forbidden(
            "the form's security token is missing or out of date: reload the page and try again".into(),
        ));
    }
    Ok(())
}
