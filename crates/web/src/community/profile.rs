//! A person's profile, and an editor's tasks: confirming members, verifying adoptions.

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.page("/{lang}/profilo", &[], profile)
        .uncached()
        .form("/{lang}/profilo/iscrizioni/{id}/conferma", confirm_membership)
        .form("/{lang}/profilo/adozioni/{id}/verifica", verify_adoption)
}

async fn profile(Ctx { hub, lang }: Ctx, v: Viewer) -> Answer {
    let Some(account) = v.account.clone() else { return Ok(see(format!("/{}/accesso", lang.code()))) };
    let c = hub.store.community();
    let communities: HashMap<i64, Community> = c.communities().await?.into_iter().map(|c| (c.id, c)).collect();
    #[derive(Serialize)]
    struct Mine {
        id: i64,
        community: String,
        slug: String,
        codice_ipa: String,
        body: String,
        referent: bool,
        confirmed_by: Option<String>,
        name: String,
    }
    let mine = |m: cantiere_store::community::Membership| {
        let comm = communities.get(&m.community_id);
        Mine {
            id: m.id,
            community: comm.map(|c| c.name.clone()).unwrap_or_default(),
            slug: comm.map(|c| c.slug.clone()).unwrap_or_default(),
            body: hub.body_name(&m.codice_ipa),
            codice_ipa: m.codice_ipa,
            referent: m.referent,
            confirmed_by: m.confirmed_by,
            name: m.name,
        }
    };
    let own: Vec<Mine> = c.memberships_of(account.id).await?.into_iter().map(mine).collect();
    let mut to_confirm: Vec<Mine> = Vec::new();
    for ipa in &v.grants.editor_of {
        to_confirm.extend(c.memberships_for(ipa).await?.into_iter().map(mine));
    }
    #[derive(Serialize)]
    struct Adopted {
        id: i64,
        solution: String,
        solution_id: i64,
        codice_ipa: String,
        status: &'static str,
        verified_by: Option<String>,
    }
    let mut adoptions = Vec::new();
    if !v.grants.editor_of.is_empty() {
        let names: HashMap<i64, String> = hub
            .obs
            .catalog()
            .map(|cat| cat.solutions.iter().map(|s| (s.id, s.name.clone())).collect())
            .unwrap_or_default();
        for ipa in &v.grants.editor_of {
            for a in hub.store.adoptions_of(ipa).await? {
                adoptions.push(Adopted {
                    id: a.id,
                    solution: names.get(&a.solution_id).cloned().unwrap_or_else(|| format!("#{}", a.solution_id)),
                    solution_id: a.solution_id,
                    codice_ipa: a.codice_ipa,
                    status: a.status.code(),
                    verified_by: a.verified_by,
                });
            }
        }
    }
    let editor_of: Vec<(String, String)> = v.grants.editor_of.iter().map(|i| (i.clone(), hub.body_name(i))).collect();
    let coordinates: Vec<&Community> = v.grants.coordinator_of.iter().filter_map(|id| communities.get(id)).collect();
    let ctx = context! {
        own => own, to_confirm => to_confirm, adoptions => adoptions, editor_of => editor_of,
        coordinates => Value::from_serialize(&coordinates),
    };
    let l = lang.labels();
    show(&hub, lang, &v, Page { template: "profile.html", menu: "profile", title: l["profile"], path: "profilo" }, ctx)
}

async fn confirm_membership(Ctx { hub, lang }: Ctx, PathId(id): PathId, Posted(v, f): Posted) -> Answer {
    v.id()?;
    let c = hub.store.community();
    let m = c.membership(id).await?;
    let editor = v
        .edits(&m.codice_ipa)
        .ok_or_else(|| AppError::Forbidden(format!("only an editor of `{}` may confirm its members", m.codice_ipa)))?;
    c.confirm(m.id, &editor, f.get("referent") == "1").await?;
    Ok(see(format!("/{}/profilo", lang.code())))
}

async fn verify_adoption(Ctx { hub, lang }: Ctx, PathId(id): PathId, Posted(v, _): Posted) -> Answer {
    v.id()?;
    let adoption = hub.store.adoption(id).await?;
    let editor = v.edits(&adoption.codice_ipa).ok_or_else(|| {
        AppError::Forbidden(format!("only an editor of `{}` may verify its adoptions", adoption.codice_ipa))
    })?;
    hub.store.verify_adoption(id, &editor).await?;
    hub.refresh_catalog().await?;
    Ok(see(format!("/{}/profilo", lang.code())))
}
