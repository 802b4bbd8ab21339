//! Consultations: proposals, comments, support and their status.

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.form("/{lang}/comunita/{slug}/consultazioni", create_consultation)
        .page("/{lang}/comunita/{slug}/consultazioni/{id}", &[], consultation)
        .form("/{lang}/comunita/{slug}/consultazioni/{id}/stato", consultation_status)
        .form("/{lang}/comunita/{slug}/consultazioni/{id}/proposte", add_proposal)
        .form("/{lang}/comunita/{slug}/proposte/{id}/commenti", comment)
        .form("/{lang}/comunita/{slug}/proposte/{id}/sostegno", support)
        .form("/{lang}/comunita/{slug}/proposte/{id}/stato", proposal_status)
}

async fn create_consultation(Ctx { hub, lang }: Ctx, InCommunity(comm): InCommunity, Posted(v, f): Posted) -> Answer {
    let by = require_coordinator(&v, &comm)?;
    let status = if f.get("status").is_empty() { "open" } else { f.get("status") };
    let made = hub.store.community().create_consultation(comm.id, f.get("title"), f.get("body"), status, by).await?;
    Ok(see(format!("/{}/comunita/{}/consultazioni/{}", lang.code(), comm.slug, made.id)))
}

/// The consultation `id`, when it belongs to the community.
async fn consultation_of(hub: &Hub, comm: &Community, id: i64) -> Result<i64, AppError> {
    Ok(belongs(hub.store.community().consultation(id).await?, comm)?.id)
}

/// The proposal `id` and its consultation, when it belongs to the community.
async fn proposal_of(hub: &Hub, comm: &Community, id: i64) -> Result<(i64, i64), AppError> {
    let p = hub.store.community().proposal(id).await?;
    Ok((consultation_of(hub, comm, p.consultation_id).await?, p.id))
}

/// Where a consultation's page is.
fn consultation_page(lang: Lang, comm: &Community, consultation: i64) -> Response {
    see(format!("/{}/comunita/{}/consultazioni/{consultation}", lang.code(), comm.slug))
}

async fn consultation(Ctx { hub, lang }: Ctx, v: Viewer, Item(comm, id): Item) -> Answer {
    let c = hub.store.community();
    let signed_in = v.account.is_some();
    let cons = people::for_visitor(belongs(c.consultation(id).await?, &comm)?, signed_in);
    let mut proposals = Vec::new();
    for p in people::for_visitor(c.proposals(id).await?, signed_in) {
        let comments = people::for_visitor(c.comments(p.id).await?, signed_in);
        proposals.push(context! { p => Value::from_serialize(&p), comments => Value::from_serialize(&comments) });
    }
    let ctx = context! {
        c => Value::from_serialize(&comm), cons => Value::from_serialize(&cons), proposals => proposals,
        participant => require_participant(&hub, &v, &comm).await.is_ok(), coordinator => v.coordinates(comm.id),
        statuses => CONSULTATION_STATUSES, proposal_statuses => PROPOSAL_STATUSES,
    };
    let path = format!("comunita/{}/consultazioni/{id}", comm.slug);
    let page = Page { template: "consultation.html", menu: "communities", title: &cons.title, path: &path };
    show(&hub, lang, &v, page, ctx)
}

async fn consultation_status(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, f): Posted) -> Answer {
    require_coordinator(&v, &comm)?;
    let cid = consultation_of(&hub, &comm, id).await?;
    hub.store.community().set_consultation_status(cid, f.get("status")).await?;
    Ok(consultation_page(lang, &comm, cid))
}

async fn add_proposal(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, f): Posted) -> Answer {
    let me = require_participant(&hub, &v, &comm).await?;
    let cid = consultation_of(&hub, &comm, id).await?;
    hub.store.community().add_proposal(cid, f.get("title"), f.get("body"), me).await?;
    Ok(consultation_page(lang, &comm, cid))
}

async fn comment(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, f): Posted) -> Answer {
    let me = require_participant(&hub, &v, &comm).await?;
    let (cid, pid) = proposal_of(&hub, &comm, id).await?;
    hub.store.community().comment(pid, f.get("body"), me).await?;
    Ok(consultation_page(lang, &comm, cid))
}

async fn support(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, _): Posted) -> Answer {
    let me = require_participant(&hub, &v, &comm).await?;
    let (cid, pid) = proposal_of(&hub, &comm, id).await?;
    hub.store.community().support(pid, me).await?;
    Ok(consultation_page(lang, &comm, cid))
}

async fn proposal_status(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, f): Posted) -> Answer {
    require_coordinator(&v, &comm)?;
    let (cid, pid) = proposal_of(&hub, &comm, id).await?;
    hub.store.community().set_proposal_status(pid, f.get("status")).await?;
    Ok(consultation_page(lang, &comm, cid))
}
