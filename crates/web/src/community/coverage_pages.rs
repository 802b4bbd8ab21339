//! The coverage report as a page.

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.page("/{lang}/copertura", &["regione"], coverage_page)
}

/// What the coverage is computed from, read once per request.
pub(super) struct Inputs {
    pub(super) areas: Vec<cantiere_store::community::Area>,
    pub(super) communities: Vec<Community>,
    pub(super) memberships: Vec<cantiere_store::community::Membership>,
}

/// The coverage over a region (or the registered bodies' regions), with the
/// rows it was computed from.
pub(super) async fn compute(hub: &Hub, region: Option<&str>) -> Result<(coverage::Coverage, Inputs), AppError> {
    if let Some(r) = region
        && !hub.obs.munis.iter().any(|m| m.body.region_code == r)
    {
        return Err(AppError::BadRequest(format!("regione: no region `{r}` in this run (e.g. 08)")));
    }
    let c = hub.store.community();
    let i = Inputs {
        areas: c.areas().await?,
        communities: c.communities().await?,
        memberships: c.memberships(None).await?,
    };
    let cov = coverage::coverage(&hub.obs, &hub.bodies, &i.areas, &i.communities, &i.memberships, region);
    Ok((cov, i))
}

/// The region of the query (`regione=08`), if any.
pub(super) fn region_param(p: &Params) -> Result<Option<String>, AppError> {
    Ok(p.one("regione")?.filter(|r| !r.is_empty()).map(str::to_string))
}

async fn coverage_page(Ctx { hub, lang }: Ctx, v: Viewer, p: Params) -> Answer {
    let region = region_param(&p)?;
    let (cov, _) = compute(&hub, region.as_deref()).await?;
    let shares: HashMap<&str, f64> =
        cov.provinces.iter().map(|p| (p.code.as_str(), (p.share * 1000.0).round() / 10.0)).collect();
    let mut regions: Vec<(&str, &str)> =
        hub.obs.areas.iter().filter(|a| a.level == "region").map(|a| (a.code.as_str(), a.name.as_str())).collect();
    regions.sort_by(|a, b| a.1.cmp(b.1));
    let ctx = context! {
        cov => Value::from_serialize(&cov),
        shares => serde_json::to_string(&shares).unwrap_or_default(),
        regions => regions, region => region,
        missing_shown => Value::from_serialize(cov.missing.iter().take(200).collect::<Vec<_>>()),
    };
    let l = lang.labels();
    show(
        &hub,
        lang,
        &v,
        Page { template: "coverage.html", menu: "coverage", title: l["coverage"], path: "copertura" },
        ctx,
    )
}
