//! Meetings: planning, registration, minutes and attendance.

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.form("/{lang}/comunita/{slug}/incontri", create_meeting)
        .page("/{lang}/comunita/{slug}/incontri/{id}", &[], meeting)
        .form("/{lang}/comunita/{slug}/incontri/{id}/iscrizione", register_meeting)
        .form("/{lang}/comunita/{slug}/incontri/{id}/verbale", update_meeting)
}

async fn create_meeting(Ctx { hub, lang }: Ctx, InCommunity(comm): InCommunity, Posted(v, f): Posted) -> Answer {
    let by = require_coordinator(&v, &comm)?;
    let input = MeetingInput {
        title: f.get("title").into(),
        starts_at: f.get("starts_at").into(),
        mode: f.get("mode").into(),
        link: Some(f.get("link").to_string()),
        place: Some(f.get("place").to_string()),
        agenda: f.get("agenda").into(),
    };
    let m = hub.store.community().create_meeting(comm.id, &input, by).await?;
    Ok(see(format!("/{}/comunita/{}/incontri/{}", lang.code(), comm.slug, m.id)))
}

async fn meeting(Ctx { hub, lang }: Ctx, v: Viewer, Item(comm, id): Item) -> Answer {
    let signed_in = v.account.is_some();
    let m = people::for_visitor(belongs(hub.store.community().meeting(id).await?, &comm)?, signed_in);
    let regs = people::for_visitor(hub.store.community().registrations(m.id).await?, signed_in);
    let registered = v.account.as_ref().is_some_and(|a| regs.iter().any(|r| r.account_id == a.id));
    let ctx = context! {
        c => Value::from_serialize(&comm), m => Value::from_serialize(&m),
        registrations => Value::from_serialize(&regs), registered => registered,
        participant => require_participant(&hub, &v, &comm).await.is_ok(),
        coordinator => v.coordinates(comm.id), statuses => MEETING_STATUSES,
    };
    let path = format!("comunita/{}/incontri/{id}", comm.slug);
    show(&hub, lang, &v, Page { template: "meeting.html", menu: "communities", title: &m.title, path: &path }, ctx)
}

async fn register_meeting(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, _): Posted) -> Answer {
    let me = require_participant(&hub, &v, &comm).await?;
    let m = belongs(hub.store.community().meeting(id).await?, &comm)?;
    hub.store.community().register(m.id, me).await?;
    Ok(see(format!("/{}/comunita/{}/incontri/{id}", lang.code(), comm.slug)))
}

async fn update_meeting(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, f): Posted) -> Answer {
    require_coordinator(&v, &comm)?;
    let c = hub.store.community();
    let m = belongs(hub.store.community().meeting(id).await?, &comm)?;
    let attended: Vec<i64> = f.all("attended").iter().filter_map(|a| a.parse().ok()).collect();
    c.set_attendance(m.id, &attended).await?;
    c.update_meeting(m.id, f.get("status"), Some(f.get("minutes"))).await?;
    Ok(see(format!("/{}/comunita/{}/incontri/{id}", lang.code(), comm.slug)))
}
