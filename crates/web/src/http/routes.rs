//! The route table: every route of a feature is registered once, with what
//! the rest of the site needs to know of it — its method, the query
//! parameters it reads, whether its response is kept in the cache, its body
//! limit, and for the JSON/CSV API its summary and media type. The router,
//! the OpenAPI document, the check of query parameters and the cache policy
//! are all read from this one table, so the document cannot list a path
//! that the application does not serve, nor the cache keep a page under a
//! parameter its handler ignores.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post};

use crate::http::SiteState;

/// The method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// A page or an API read.
    Get,
    /// A form or a file upload.
    Post,
}

/// Whether a GET response is kept in the site's cache, and for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// For every visitor: the page does not depend on who asks (the
    /// observatory and the catalog; emptied when the catalog changes).
    Everyone,
    /// For visitors without a session only, until the next change of the
    /// communities (their pages show names and forms to members).
    Anonymous,
    /// Never (personal pages, liveness).
    Never,
}

/// One route.
#[derive(Debug, Clone)]
pub struct Route {
    /// GET or POST.
    pub method: Method,
    /// The path pattern (`/{lang}/comuni/{code}`).
    pub path: &'static str,
    /// The query parameters the handler reads; any other is refused (400).
    pub params: &'static [&'static str],
    /// For an API endpoint: its summary and media type, for the OpenAPI document.
    pub api: Option<(&'static str, &'static str)>,
    /// Parameters whose values are a closed list (OpenAPI `enum`).
    pub values: Vec<(&'static str, &'static [&'static str])>,
    /// The cache policy (GET only).
    pub kept: Kept,
    /// The largest request body accepted.
    pub body_limit: usize,
}

/// JSON.
pub const JSON: &str = "application/json";
/// CSV.
pub const CSV: &str = "text/csv";

/// A feature's routes: its router and its table, built together.
pub struct Routes {
    pub(crate) router: axum::Router<SiteState>,
    pub(crate) table: Vec<Route>,
    kept: Kept,
}

impl Routes {
    /// No routes yet; GET routes added will be kept in the cache as `kept` says.
    pub fn new(kept: Kept) -> Routes {
        Routes { router: axum::Router::new(), table: Vec::new(), kept }
    }

    fn add(mut self, route: Route, handler: MethodRouter<SiteState>) -> Routes {
        self.router = self.router.route(route.path, handler);
        self.table.push(route);
        self
    }

    fn route(&self, method: Method, path: &'static str, params: &'static [&'static str]) -> Route {
        Route {
            method,
            path,
            params,
            api: None,
            values: Vec::new(),
            kept: if method == Method::Get { self.kept } else { Kept::Never },
            body_limit: crate::MAX_BODY,
        }
    }

    /// An HTML page read with GET.
    pub fn page<H: Handler<T, SiteState>, T: 'static>(
        self,
        path: &'static str,
        params: &'static [&'static str],
        handler: H,
    ) -> Routes {
        let r = self.route(Method::Get, path, params);
        self.add(r, get(handler))
    }

    /// An endpoint of the API, read with GET, listed in the OpenAPI document.
    pub fn api<H: Handler<T, SiteState>, T: 'static>(
        self,
        path: &'static str,
        summary: &'static str,
        params: &'static [&'static str],
        media: &'static str,
        handler: H,
    ) -> Routes {
        let r = Route { api: Some((summary, media)), ..self.route(Method::Get, path, params) };
        self.add(r, get(handler))
    }

    /// A form posted to `path` (a write: see the community's rules).
    pub fn form<H: Handler<T, SiteState>, T: 'static>(self, path: &'static str, handler: H) -> Routes {
        let r = self.route(Method::Post, path, &[]);
        self.add(r, post(handler))
    }

    /// A file posted to `path`, with its own body limit.
    pub fn upload<H: Handler<T, SiteState>, T: 'static>(self, path: &'static str, limit: usize, handler: H) -> Routes {
        let r = Route { body_limit: limit, ..self.route(Method::Post, path, &[]) };
        self.add(r, post(handler).layer(axum::extract::DefaultBodyLimit::max(limit)))
    }

    /// The last route's parameter `name` takes one of `values`.
    pub fn values(mut self, name: &'static str, values: &'static [&'static str]) -> Routes {
        if let Some(r) = self.table.last_mut() {
            r.values.push((name, values));
        }
        self
    }

    /// The last route is never kept in the cache.
    pub fn uncached(mut self) -> Routes {
        if let Some(r) = self.table.last_mut() {
            r.kept = Kept::Never;
        }
        self
    }

    /// Both features' routes.
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }
}

/// The table, by path pattern (a path may have a GET and a POST route).
#[derive(Debug, Default)]
pub struct Table(HashMap<&'static str, Vec<Route>>);

impl Table {
    /// The table of these routes.
    pub fn new(routes: &[Route]) -> Table {
        let mut map: HashMap<&'static str, Vec<Route>> = HashMap::new();
        for r in routes {
            map.entry(r.path).or_default().push(r.clone());
        }
        Table(map)
    }

    /// The route of a request (its method and matched path pattern).
    pub fn find(&self, method: &axum::http::Method, path: &str) -> Option<&Route> {
        let m = if method == axum::http::Method::POST { Method::Post } else { Method::Get };
        self.0.get(path)?.iter().find(|r| r.method == m)
    }

    /// Every route, sorted by path then method.
    pub fn routes(&self) -> Vec<&Route> {
        let mut all: Vec<&Route> = self.0.values().flatten().collect();
        all.sort_by_key(|r| (r.path, r.method == Method::Post));
        all
    }
}

/// The OpenAPI document of the API endpoints in `table`.
pub fn openapi(table: &Table) -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for r in table.routes() {
        let Some((summary, media)) = r.api else { continue };
        let schema = |name: &str| match r.values.iter().find(|(n, _)| *n == name) {
            Some((_, values)) => serde_json::json!({"type": "string", "enum": values}),
            None => serde_json::json!({"type": "string"}),
        };
        // The path's parameters first, then the query's.
        let mut parameters: Vec<serde_json::Value> = Vec::new();
        for seg in r.path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(['{', '}']);
            parameters.push(serde_json::json!({"name": name, "in": "path", "required": true, "schema": schema(name)}));
        }
        parameters.extend(
            r.params
                .iter()
                .map(|p| serde_json::json!({"name": p, "in": "query", "required": false, "schema": schema(p)})),
        );
        let error = serde_json::json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        let body = if media.contains("json") { "object" } else { "string" };
        paths.insert(
            r.path.to_string(),
            serde_json::json!({"get": {
                "summary": summary,
                "parameters": parameters,
                "responses": {
                    "200": {"description": "OK", "content": {media: {"schema": {"type": body}}}},
                    "400": error, "404": error,
                }
            }}),
        );
    }
    serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "Cantiere observatory API", "version": "1.0.0",
                 "description": "The digital-transition index of Italian municipalities: results, areas, indicators, projects, boundaries; the reuse catalog; the communities' coverage."},
        "paths": paths,
        "components": {"schemas": {"Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}}}},
    })
}

/// `/api/v1/openapi.json`: the document of the routes this site serves.
pub async fn openapi_document(State(site): State<SiteState>) -> Json<serde_json::Value> {
    Json(openapi(&site.routes))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn nothing() -> &'static str {
        ""
    }

    #[test]
    fn the_document_lists_the_api_routes_of_the_table_only() {
        let routes = Routes::new(Kept::Everyone)
            .page("/{lang}/indice", &["sort"], nothing)
            .api("/api/v1/geo/{level}", "Boundaries", &[], JSON, nothing)
            .values("level", &["comune", "regione"])
            .uncached()
            .form("/{lang}/comunita", nothing);
        let table = Table::new(&routes.table);
        let doc = openapi(&table);
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.keys().collect::<Vec<_>>(), ["/api/v1/geo/{level}"], "pages and forms are not API");
        let level = &paths["/api/v1/geo/{level}"]["get"]["parameters"][0];
        assert_eq!(level["in"], "path");
        assert_eq!(level["schema"]["enum"], serde_json::json!(["comune", "regione"]));
        let geo = table.find(&axum::http::Method::GET, "/api/v1/geo/{level}").unwrap();
        assert_eq!(geo.kept, Kept::Never, "uncached() applies to the last route");
        let ranking = table.find(&axum::http::Method::GET, "/{lang}/indice").unwrap();
        assert_eq!((ranking.kept, ranking.params), (Kept::Everyone, &["sort"][..]));
        let form = table.find(&axum::http::Method::POST, "/{lang}/comunita").unwrap();
        assert_eq!(form.kept, Kept::Never, "a POST is never kept");
        assert!(table.find(&axum::http::Method::GET, "/{lang}/comunita").is_none(), "only the POST was registered");
    }
}
