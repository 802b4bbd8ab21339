//! Shared resources, and threads with their replies.

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.form("/{lang}/comunita/{slug}/risorse", add_resource)
        .form("/{lang}/comunita/{slug}/discussioni", create_thread)
        .page("/{lang}/comunita/{slug}/discussioni/{id}", &["pagina"], thread)
        .form("/{lang}/comunita/{slug}/discussioni/{id}", reply)
}

async fn add_resource(Ctx { hub, lang }: Ctx, InCommunity(comm): InCommunity, Posted(v, f): Posted) -> Answer {
    let me = require_participant(&hub, &v, &comm).await?;
    let solution_id = match f.get("solution").trim() {
        "" => None,
        s => Some(s.parse().map_err(|_| AppError::BadRequest(format!("solution: `{s}` is not a solution id")))?),
    };
    let input = ResourceInput {
        kind: f.get("kind").into(),
        title: f.get("title").into(),
        url: Some(f.get("url").to_string()),
        solution_id,
        description: f.get("description").into(),
    };
    hub.store.community().add_resource(comm.id, &input, me).await?;
    Ok(see(format!("/{}/comunita/{}#risorse", lang.code(), comm.slug)))
}

async fn create_thread(Ctx { hub, lang }: Ctx, InCommunity(comm): InCommunity, Posted(v, f): Posted) -> Answer {
    let me = require_participant(&hub, &v, &comm).await?;
    let t = hub.store.community().create_thread(comm.id, f.get("title"), f.get("body"), me).await?;
    Ok(see(format!("/{}/comunita/{}/discussioni/{}", lang.code(), comm.slug, t.id)))
}

async fn thread(Ctx { hub, lang }: Ctx, v: Viewer, Item(comm, id): Item, p: Params) -> Answer {
    let signed_in = v.account.is_some();
    let page = page_number(&p, "pagina")?;
    let t = people::for_visitor(belongs(hub.store.community().thread(id).await?, &comm)?, signed_in);
    let posts = hub.store.community().posts_page(t.id, Slice::page(page, POSTS_PER_PAGE)).await?;
    let posts = people::for_visitor(posts, signed_in);
    let ctx = context! {
        c => Value::from_serialize(&comm), thread => Value::from_serialize(&t),
        posts_pages => pages(&posts, page, POSTS_PER_PAGE),
        posts => Value::from_serialize(&posts.items),
        participant => require_participant(&hub, &v, &comm).await.is_ok(),
    };
    let path = format!("comunita/{}/discussioni/{id}", comm.slug);
    show(&hub, lang, &v, Page { template: "thread.html", menu: "communities", title: &t.title, path: &path }, ctx)
}

async fn reply(Ctx { hub, lang }: Ctx, Item(comm, id): Item, Posted(v, f): Posted) -> Answer {
    let me = require_participant(&hub, &v, &comm).await?;
    let t = belongs(hub.store.community().thread(id).await?, &comm)?;
    hub.store.community().reply(t.id, f.get("body"), me).await?;
    Ok(see(format!("/{}/comunita/{}/discussioni/{id}", lang.code(), comm.slug)))
}
