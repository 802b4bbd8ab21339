//! One community: its page (bodies, meetings, resources, threads, consultations), joining and leaving.

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.page("/{lang}/comunita/{slug}", &["discussioni", "risorse"], community)
        .form("/{lang}/comunita/{slug}/aderisci", join)
        .form("/{lang}/comunita/{slug}/lascia/{id}", leave)
}

/// Threads and resources on a page of a community.
pub const PER_PAGE: usize = 20;
/// Messages on a page of a thread.
pub const POSTS_PER_PAGE: usize = 50;

/// Page `name` of a query (`1` when absent); a number out of range is 404.
pub(super) fn page_number(p: &Params, name: &str) -> Result<usize, AppError> {
    match p.one(name)? {
        None => Ok(1),
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| AppError::BadRequest(format!("{name}: expected a page number, found `{t}`"))),
    }
}

/// The pages of a list: (number, total pages).
pub(super) fn pages<T>(list: &Paged<T>, page: usize, per_page: usize) -> Value {
    context! { page => page, pages => list.total.div_ceil(per_page).max(1), total => list.total }
}

async fn community(Ctx { hub, lang }: Ctx, v: Viewer, InCommunity(comm): InCommunity, p: Params) -> Answer {
    let (thread_page, resource_page) = (page_number(&p, "discussioni")?, page_number(&p, "risorse")?);
    let c = hub.store.community();
    let signed_in = v.account.is_some();
    let members = people::for_visitor(c.memberships(Some(comm.id)).await?, signed_in);
    let mine: Vec<i64> = v
        .account
        .as_ref()
        .map(|a| members.iter().filter(|m| m.account_id == a.id).map(|m| m.id).collect())
        .unwrap_or_default();
    // Bodies with their people (names shown to signed-in visitors only).
    let mut bodies: Vec<(String, Vec<&cantiere_store::community::Membership>)> = Vec::new();
    for m in &members {
        match bodies.last_mut() {
            Some((ipa, list)) if *ipa == m.codice_ipa => list.push(m),
            _ => bodies.push((m.codice_ipa.clone(), vec![m])),
        }
    }
    let bodies: Vec<Value> = bodies
        .iter()
        .map(|(ipa, list)| {
            context! { codice_ipa => ipa, name => hub.body_name(ipa), members => Value::from_serialize(list),
            referent => list.iter().find(|m| m.referent).map(|m| m.name.clone()) }
        })
        .collect();
    let solutions: Vec<(i64, String)> = hub
        .obs
        .catalog()
        .map(|cat| cat.solutions.iter().filter(|s| s.active).map(|s| (s.id, s.name.clone())).collect())
        .unwrap_or_default();
    let participant = v.account.is_some() && (v.coordinates(comm.id) || !mine.is_empty());
    let threads = c.threads_page(comm.id, Slice::page(thread_page, PER_PAGE)).await?;
    let resources = c.resources_page(comm.id, Slice::page(resource_page, PER_PAGE)).await?;
    let ctx = context! {
        c => Value::from_serialize(&comm),
        coordinators => Value::from_serialize(people::for_visitor(c.coordinators(comm.id).await?, signed_in)),
        bodies => bodies,
        registrations => members.len(),
        mine => mine,
        participant => participant,
        coordinator => v.coordinates(comm.id),
        meetings => Value::from_serialize(people::for_visitor(c.meetings(comm.id).await?, signed_in)),
        resources_pages => pages(&resources, resource_page, PER_PAGE),
        threads_pages => pages(&threads, thread_page, PER_PAGE),
        resources => Value::from_serialize(people::for_visitor(resources.items, signed_in)),
        threads => Value::from_serialize(people::for_visitor(threads.items, signed_in)),
        consultations => Value::from_serialize(people::for_visitor(c.consultations(comm.id).await?, signed_in)),
        solutions => solutions,
        modes => MEETING_MODES, kinds => RESOURCE_KINDS, consultation_statuses => CONSULTATION_STATUSES,
    };
    let path = format!("comunita/{}", comm.slug);
    show(&hub, lang, &v, Page { template: "community.html", menu: "communities", title: &comm.name, path: &path }, ctx)
}

async fn join(Ctx { hub, lang }: Ctx, InCommunity(comm): InCommunity, Posted(v, f): Posted) -> Answer {
    let id = v.id()?;
    hub.store.community().join(comm.id, id, f.get("codice_ipa")).await?;
    Ok(see(format!("/{}/comunita/{}", lang.code(), comm.slug)))
}

async fn leave(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, _): Posted) -> Answer {
    let me = v.id()?;
    hub.store.community().leave(id, me).await?;
    Ok(see(format!("/{}/comunita/{}", lang.code(), comm.slug)))
}
