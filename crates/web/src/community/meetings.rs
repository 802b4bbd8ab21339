//! Meetings: planning, registration, minutes and attendance.

use super::*;

pub(super) async fn create_meeting(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug)): Path<(String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let comm = community_of(&hub, &slug).await?;
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
    Ok(see(format!("/{}/comunita/{slug}/incontri/{}", lang.code(), m.id)))
}

pub(super) async fn meeting(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Page {
    let v = viewer(&hub, &headers).await?;
    let comm = community_of(&hub, &slug).await?;
    let c = hub.store.community();
    let m = people::for_visitor(meeting_of(&hub, &comm, &id).await?, v.account.is_some());
    let regs = people::for_visitor(c.registrations(m.id).await?, v.account.is_some());
    let registered = v.account.as_ref().is_some_and(|a| regs.iter().any(|r| r.account_id == a.id));
    let participant = require_participant(&hub, &v, &comm).await.is_ok();
    let ctx = context! {
        c => Value::from_serialize(&comm), m => Value::from_serialize(&m),
        registrations => Value::from_serialize(&regs), registered => registered, participant => participant,
        coordinator => v.coordinates(comm.id), statuses => MEETING_STATUSES,
    };
    show(&hub, lang, &v, "meeting.html", "communities", &m.title, &format!("comunita/{slug}/incontri/{id}"), ctx)
}

pub(super) async fn register_meeting(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    Posted(v, _): Posted,
) -> Page {
    let comm = community_of(&hub, &slug).await?;
    let me = require_participant(&hub, &v, &comm).await?;
    let m = meeting_of(&hub, &comm, &id).await?;
    hub.store.community().register(m.id, me).await?;
    Ok(see(format!("/{}/comunita/{slug}/incontri/{id}", lang.code())))
}

pub(super) async fn update_meeting(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let comm = community_of(&hub, &slug).await?;
    require_coordinator(&v, &comm)?;
    let c = hub.store.community();
    let m = meeting_of(&hub, &comm, &id).await?;
    let attended: Vec<i64> = f.all("attended").iter().filter_map(|a| a.parse().ok()).collect();
    c.set_attendance(m.id, &attended).await?;
    c.update_meeting(m.id, f.get("status"), Some(f.get("minutes"))).await?;
    Ok(see(format!("/{}/comunita/{slug}/incontri/{id}", lang.code())))
}

/// A meeting of a community, by the id in the path.
pub(super) async fn meeting_of(
    hub: &Hub,
    comm: &Community,
    id: &str,
) -> Result<cantiere_store::community::Meeting, AppError> {
    let m = hub.store.community().meeting(id_of(id, "meeting")?).await?;
    if m.community_id != comm.id {
        return Err(AppError::NotFound(format!("meeting #{id} in «{}»", comm.name)));
    }
    Ok(m)
}
