//! Meetings: planning, registration, minutes and attendance.

use super::*;

pub(super) async fn create_meeting(
    HubState(hub): HubState,
    lang: Lang,
    InCommunity(comm): InCommunity,
    Posted(v, f): Posted,
) -> Answer {
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

pub(super) async fn meeting(
    HubState(hub): HubState,
    lang: Lang,
    v: Viewer,
    InCommunity(comm): InCommunity,
    PathId(id): PathId,
) -> Answer {
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

pub(super) async fn register_meeting(
    HubState(hub): HubState,
    lang: Lang,
    InCommunity(comm): InCommunity,
    PathId(id): PathId,
    Posted(v, _): Posted,
) -> Answer {
    let me = require_participant(&hub, &v, &comm).await?;
    let m = belongs(hub.store.community().meeting(id).await?, &comm)?;
    hub.store.community().register(m.id, me).await?;
    Ok(see(format!("/{}/comunita/{}/incontri/{id}", lang.code(), comm.slug)))
}

pub(super) async fn update_meeting(
    HubState(hub): HubState,
    lang: Lang,
    InCommunity(comm): InCommunity,
    PathId(id): PathId,
    Posted(v, f): Posted,
) -> Answer {
    require_coordinator(&v, &comm)?;
    let c = hub.store.community();
    let m = belongs(hub.store.community().meeting(id).await?, &comm)?;
    let attended: Vec<i64> = f.all("attended").iter().filter_map(|a| a.parse().ok()).collect();
    c.set_attendance(m.id, &attended).await?;
    c.update_meeting(m.id, f.get("status"), Some(f.get("minutes"))).await?;
    Ok(see(format!("/{}/comunita/{}/incontri/{id}", lang.code(), comm.slug)))
}
