//! Consultations: proposals, comments, support and their status.

use super::*;

pub(super) async fn create_consultation(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug)): Path<(String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let comm = community_of(&hub, &slug).await?;
    let by = require_coordinator(&v, &comm)?;
    let status = if f.get("status").is_empty() { "open" } else { f.get("status") };
    let made = hub.store.community().create_consultation(comm.id, f.get("title"), f.get("body"), status, by).await?;
    Ok(see(format!("/{}/comunita/{slug}/consultazioni/{}", lang.code(), made.id)))
}

/// A consultation of the community named in the path.
pub(super) async fn consultation_in(hub: &Hub, slug: &str, id: &str) -> Result<(Community, i64), AppError> {
    let comm = community_of(hub, slug).await?;
    let cons = hub.store.community().consultation(id_of(id, "consultation")?).await?;
    if cons.community_id != comm.id {
        return Err(AppError::NotFound(format!("consultation #{id} in «{}»", comm.name)));
    }
    Ok((comm, cons.id))
}

/// A proposal of the community named in the path.
pub(super) async fn proposal_in(hub: &Hub, slug: &str, id: &str) -> Result<(Community, i64, i64), AppError> {
    let p = hub.store.community().proposal(id_of(id, "proposal")?).await?;
    let (comm, cons) = consultation_in(hub, slug, &p.consultation_id.to_string()).await?;
    Ok((comm, cons, p.id))
}

pub(super) async fn consultation(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Page {
    let v = viewer(&hub, &headers).await?;
    let (comm, cid) = consultation_in(&hub, &slug, &id).await?;
    let c = hub.store.community();
    let signed_in = v.account.is_some();
    let cons = people::for_visitor(c.consultation(cid).await?, signed_in);
    let mut proposals = Vec::new();
    for p in people::for_visitor(c.proposals(cid).await?, signed_in) {
        let comments = people::for_visitor(c.comments(p.id).await?, signed_in);
        proposals.push(context! { p => Value::from_serialize(&p), comments => Value::from_serialize(&comments) });
    }
    let participant = require_participant(&hub, &v, &comm).await.is_ok();
    let ctx = context! {
        c => Value::from_serialize(&comm), cons => Value::from_serialize(&cons), proposals => proposals,
        participant => participant, coordinator => v.coordinates(comm.id),
        statuses => CONSULTATION_STATUSES, proposal_statuses => PROPOSAL_STATUSES,
    };
    show(
        &hub,
        lang,
        &v,
        "consultation.html",
        "communities",
        &cons.title,
        &format!("comunita/{slug}/consultazioni/{id}"),
        ctx,
    )
}

pub(super) async fn consultation_status(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let (comm, cid) = consultation_in(&hub, &slug, &id).await?;
    require_coordinator(&v, &comm)?;
    hub.store.community().set_consultation_status(cid, f.get("status")).await?;
    Ok(see(format!("/{}/comunita/{slug}/consultazioni/{id}", lang.code())))
}

pub(super) async fn add_proposal(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let (comm, cid) = consultation_in(&hub, &slug, &id).await?;
    let me = require_participant(&hub, &v, &comm).await?;
    hub.store.community().add_proposal(cid, f.get("title"), f.get("body"), me).await?;
    Ok(see(format!("/{}/comunita/{slug}/consultazioni/{id}", lang.code())))
}

pub(super) async fn comment(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let (comm, cid, pid) = proposal_in(&hub, &slug, &id).await?;
    let me = require_participant(&hub, &v, &comm).await?;
    hub.store.community().comment(pid, f.get("body"), me).await?;
    Ok(see(format!("/{}/comunita/{slug}/consultazioni/{cid}", lang.code())))
}

pub(super) async fn support(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    Posted(v, _): Posted,
) -> Page {
    let (comm, cid, pid) = proposal_in(&hub, &slug, &id).await?;
    let me = require_participant(&hub, &v, &comm).await?;
    hub.store.community().support(pid, me).await?;
    Ok(see(format!("/{}/comunita/{slug}/consultazioni/{cid}", lang.code())))
}

pub(super) async fn proposal_status(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let (comm, cid, pid) = proposal_in(&hub, &slug, &id).await?;
    require_coordinator(&v, &comm)?;
    hub.store.community().set_proposal_status(pid, f.get("status")).await?;
    Ok(see(format!("/{}/comunita/{slug}/consultazioni/{cid}", lang.code())))
}
