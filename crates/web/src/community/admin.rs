//! The communities' list and a platform admin's tools: areas, communities, roles, CSV imports.

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.page("/{lang}/comunita", &["importate"], communities)
        .form("/{lang}/comunita", create_community)
        .form("/{lang}/comunita/aree", create_area)
        .upload("/{lang}/comunita/importa", UPLOAD_MAX, import_file)
        .form("/{lang}/comunita/ruoli", grant_role)
}

async fn communities(Ctx { hub, lang }: Ctx, v: Viewer, params: Params) -> Answer {
    // After an import: how many rows it wrote.
    let imported: Option<usize> = params.one("importate")?.and_then(|n| n.parse().ok());
    let (cov, Inputs { areas, communities: comms, .. }) = compute(&hub, None).await?;
    let by_slug: HashMap<&str, &coverage::Row> = cov.communities.iter().map(|r| (r.slug.as_str(), r)).collect();
    let groups: Vec<Value> = areas
        .iter()
        .map(|a| {
            let list: Vec<Value> = comms
                .iter()
                .filter(|c| c.area_id == a.id)
                .map(|c| context! { c => Value::from_serialize(c), f => Value::from_serialize(by_slug.get(c.slug.as_str()).map(|r| &r.figures)) })
                .collect();
            context! { area => Value::from_serialize(a), communities => list }
        })
        .collect();
    let ctx = context! {
        groups => groups, totals => Value::from_serialize(&cov.totals), scope => Value::from_serialize(&cov.scope),
        imported => imported,
    };
    let title = lang.labels()["communities"];
    show(&hub, lang, &v, Page { template: "communities.html", menu: "communities", title, path: "comunita" }, ctx)
}

/// The largest file the import form takes (a region's registrations are
/// about 100 KB).
pub const UPLOAD_MAX: usize = 2 << 20;

/// An admin imports a CSV file of areas, communities or registrations: all
/// or nothing, as `cantiere community import`; a refused file gets the list
/// of its bad rows (400).
async fn import_file(Ctx { hub, lang }: Ctx, v: Viewer, upload: Result<Multipart, MultipartRejection>) -> Answer {
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(format!("the uploaded form: {e}"));
    let mut upload = upload.map_err(|e| {
        AppError::BadRequest(format!("the import form is sent as multipart/form-data with a file: {e}"))
    })?;
    // The token is the form's first field, checked before the file is read.
    let sent = match upload.next_field().await.map_err(bad)? {
        Some(f) if f.name() == Some("csrf") => f.text().await.map_err(bad)?,
        _ => String::new(),
    };
    check_token(&v, &sent)?;
    require_admin(&v)?;
    let (mut kind, mut file) = (None, None);
    while let Some(f) = upload.next_field().await.map_err(bad)? {
        match f.name() {
            Some("kind") => kind = Some(f.text().await.map_err(bad)?),
            Some("file") => {
                let name = f.file_name().filter(|n| !n.is_empty()).unwrap_or("upload.csv").to_string();
                file = Some((name, f.bytes().await.map_err(bad)?));
            }
            _ => {}
        }
    }
    let kind = match kind.as_deref() {
        Some("areas") => CsvKind::Areas,
        Some("communities") => CsvKind::Communities,
        Some("registrations") => CsvKind::Registrations,
        other => {
            return Err(AppError::BadRequest(format!(
                "kind: expected areas, communities or registrations, got `{}`",
                other.unwrap_or("")
            )));
        }
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(AppError::BadRequest("file: choose a non-empty CSV file".into()));
    };
    match hub.store.community().import_csv(kind, &name, &bytes).await {
        Ok(n) => Ok(see(format!("/{}/comunita?importate={n}", lang.code()))),
        Err(cantiere_store::Error::Rows { file, errors }) => {
            let ctx = context! { file => file, errors => Value::from_serialize(&errors) };
            let title = lang.labels()["import_refused"];
            let page = Page { template: "import_report.html", menu: "communities", title, path: "comunita" };
            let mut res = show(&hub, lang, &v, page, ctx)?;
            *res.status_mut() = StatusCode::BAD_REQUEST;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn create_area(Ctx { hub, lang }: Ctx, Posted(v, f): Posted) -> Answer {
    require_admin(&v)?;
    hub.store.community().create_area(f.get("slug"), f.get("name"), f.get("description")).await?;
    Ok(see(format!("/{}/comunita", lang.code())))
}

async fn create_community(Ctx { hub, lang }: Ctx, Posted(v, f): Posted) -> Answer {
    require_admin(&v)?;
    let c = hub.store.community();
    let made = c.create_community(f.get("slug"), f.get("area"), f.get("name"), f.get("description")).await?;
    Ok(see(format!("/{}/comunita/{}", lang.code(), made.slug)))
}

async fn grant_role(Ctx { hub, lang }: Ctx, Posted(v, f): Posted) -> Answer {
    require_admin(&v)?;
    let c = hub.store.community();
    let (account, _) = c
        .credentials(f.get("email"))
        .await?
        .ok_or_else(|| AppError::BadRequest(format!("email: no account `{}`", f.get("email").trim())))?;
    let by = v.account.as_ref().map(|a| a.email.clone()).unwrap_or_default();
    match f.get("role") {
        "admin" => c.set_admin(account.id, true).await?,
        "editor" => c.grant_editor(account.id, f.get("target"), &by).await?,
        "coordinator" => {
            let comm = c.community_by_slug(f.get("target").trim()).await?;
            c.grant_coordinator(account.id, comm.id).await?
        }
        other => return Err(AppError::BadRequest(format!("role: `{other}` is not admin, editor or coordinator"))),
    }
    Ok(see(format!("/{}/comunita", lang.code())))
}
