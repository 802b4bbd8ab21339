//! The communities' JSON and CSV API (no personal data).

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.api(
        "/api/v1/communities",
        "Thematic areas and communities with their coverage figures",
        &[],
        JSON,
        api_communities,
    )
    .api(
        "/api/v1/communities/{slug}",
        "One community: bodies, meetings, resources, threads, consultations",
        &[],
        JSON,
        api_community,
    )
    .api(
        "/api/v1/registrations.csv",
        "Registrations by community and administration (no personal data)",
        &[],
        CSV,
        api_registrations_csv,
    )
    .api(
        "/api/v1/coverage",
        "Coverage of the territory: totals, by community, area, province, size class",
        &["regione"],
        JSON,
        api_coverage,
    )
    .api(
        "/api/v1/coverage.csv",
        "Every comune of the scope with its number of registrations",
        &["regione"],
        CSV,
        api_coverage_csv,
    )
}

pub(super) fn json(value: &impl Serialize) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(serde_json::to_value(value).unwrap_or_default())).into_response()
}

pub(super) fn csv_response(name: &str, rows: Vec<Vec<String>>) -> Answer {
    Ok(no_store(crate::http::csv_response(name, rows)?))
}

/// `/api/v1/communities`: areas and communities with their figures.
async fn api_communities(HubState(hub): HubState) -> Answer {
    let (cov, Inputs { areas, communities: comms, .. }) = compute(&hub, None).await?;
    let figures: HashMap<&str, &coverage::Figures> =
        cov.communities.iter().map(|r| (r.slug.as_str(), &r.figures)).collect();
    let list: Vec<serde_json::Value> = comms
        .iter()
        .map(|c| serde_json::json!({"slug": c.slug, "name": c.name, "area": c.area_slug, "description": c.description, "figures": figures.get(c.slug.as_str())}))
        .collect();
    Ok(json(&serde_json::json!({"areas": areas, "communities": list})))
}

/// `/api/v1/communities/{slug}`: one community: bodies, meetings, resources,
/// threads, consultations (people are not listed: counts only).
/// An item of the public API, its (blanked) `author` field left out.
pub(super) fn without_author(item: &impl Serialize) -> serde_json::Value {
    let mut v = serde_json::to_value(item).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("author");
    }
    v
}

async fn api_community(HubState(hub): HubState, InCommunity(comm): InCommunity) -> Answer {
    let c = hub.store.community();
    let members = c.memberships(Some(comm.id)).await?;
    let mut bodies: Vec<serde_json::Value> = Vec::new();
    let mut counted: HashMap<&str, usize> = HashMap::new();
    for m in &members {
        *counted.entry(m.codice_ipa.as_str()).or_default() += 1;
    }
    let mut ipas: Vec<&&str> = counted.keys().collect();
    ipas.sort();
    for ipa in ipas {
        bodies.push(serde_json::json!({"codice_ipa": ipa, "name": hub.body_name(ipa), "registrations": counted[*ipa]}));
    }
    Ok(json(&serde_json::json!({
        "community": comm,
        "registrations": members.len(),
        "bodies": bodies,
        "meetings": people::public(c.meetings(comm.id).await?).iter().map(without_author).collect::<Vec<_>>(),
        "resources": people::public(c.resources(Some(comm.id)).await?).iter().map(without_author).collect::<Vec<_>>(),
        "threads": people::public(c.threads(comm.id).await?).iter().map(without_author).collect::<Vec<_>>(),
        "consultations": people::public(c.consultations(comm.id).await?).iter().map(without_author).collect::<Vec<_>>(),
    })))
}

/// `/api/v1/registrations.csv`: one row per registration (no personal data).
async fn api_registrations_csv(HubState(hub): HubState) -> Answer {
    let c = hub.store.community();
    let comms: HashMap<i64, Community> = c.communities().await?.into_iter().map(|c| (c.id, c)).collect();
    let mut rows = vec![
        ["community", "area", "codice_ipa", "administration", "referent", "confirmed", "registered_at"]
            .map(String::from)
            .to_vec(),
    ];
    for m in c.memberships(None).await? {
        let comm = comms.get(&m.community_id);
        rows.push(vec![
            comm.map(|c| c.slug.clone()).unwrap_or_default(),
            comm.map(|c| c.area_slug.clone()).unwrap_or_default(),
            m.codice_ipa.clone(),
            hub.body_name(&m.codice_ipa),
            if m.referent { "1" } else { "0" }.into(),
            if m.confirmed_by.is_some() { "1" } else { "0" }.into(),
            m.created_at,
        ]);
    }
    csv_response("registrations.csv", rows)
}

/// `/api/v1/coverage[?regione=]`.
async fn api_coverage(HubState(hub): HubState, p: Params) -> Answer {
    let region = region_param(&p)?;
    Ok(json(&compute(&hub, region.as_deref()).await?.0))
}

/// `/api/v1/coverage.csv[?regione=]`: every comune of the scope with its
/// registrations.
async fn api_coverage_csv(HubState(hub): HubState, p: Params) -> Answer {
    let region = region_param(&p)?;
    let (cov, inputs) = compute(&hub, region.as_deref()).await?;
    let mut per: HashMap<&str, usize> = HashMap::new();
    for m in &inputs.memberships {
        *per.entry(m.codice_ipa.as_str()).or_default() += 1;
    }
    let regions: HashSet<&str> = cov.scope.iter().map(|(c, _)| c.as_str()).collect();
    let mut rows = vec![
        ["code", "codice_ipa", "name", "province", "size_class", "population", "registrations"]
            .map(String::from)
            .to_vec(),
    ];
    for m in hub.obs.munis.iter().filter(|m| regions.contains(m.body.region_code.as_str())) {
        let ipa = Observatory::ipa_of(m);
        rows.push(vec![
            m.body.code.clone(),
            ipa.clone(),
            m.body.name.clone(),
            m.body.province_abbr.clone(),
            m.body.size_class.clone(),
            m.body.population.map(|p| p.to_string()).unwrap_or_default(),
            per.get(ipa.as_str()).copied().unwrap_or(0).to_string(),
        ]);
    }
    rows[1..].sort();
    csv_response("coverage.csv", rows)
}
