//! Shared resources, and threads with their replies.

use super::*;

pub(super) async fn add_resource(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug)): Path<(String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let comm = community_of(&hub, &slug).await?;
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
    Ok(see(format!("/{}/comunita/{slug}#risorse", lang.code())))
}

pub(super) async fn create_thread(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug)): Path<(String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let comm = community_of(&hub, &slug).await?;
    let me = require_participant(&hub, &v, &comm).await?;
    let t = hub.store.community().create_thread(comm.id, f.get("title"), f.get("body"), me).await?;
    Ok(see(format!("/{}/comunita/{slug}/discussioni/{}", lang.code(), t.id)))
}

pub(super) async fn thread(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Page {
    let v = viewer(&hub, &headers).await?;
    let signed_in = v.account.is_some();
    let page = page_number(&Params::parse(q.as_deref())?, "pagina")?;
    let comm = community_of(&hub, &slug).await?;
    let c = hub.store.community();
    let t = people::for_visitor(thread_of(&hub, &comm, &id).await?, signed_in);
    let posts = people::for_visitor(c.posts_page(t.id, Slice::page(page, POSTS_PER_PAGE)).await?, signed_in);
    let participant = require_participant(&hub, &v, &comm).await.is_ok();
    let ctx = context! {
        c => Value::from_serialize(&comm), thread => Value::from_serialize(&t),
        posts_pages => pages(&posts, page, POSTS_PER_PAGE),
        posts => Value::from_serialize(&posts.items), participant => participant,
    };
    show(&hub, lang, &v, "thread.html", "communities", &t.title, &format!("comunita/{slug}/discussioni/{id}"), ctx)
}

pub(super) async fn reply(
    State(hub): Shared,
    lang: Lang,
    Path((_, slug, id)): Path<(String, String, String)>,
    Posted(v, f): Posted,
) -> Page {
    let comm = community_of(&hub, &slug).await?;
    let me = require_participant(&hub, &v, &comm).await?;
    let c = hub.store.community();
    let t = thread_of(&hub, &comm, &id).await?;
    c.reply(t.id, f.get("body"), me).await?;
    Ok(see(format!("/{}/comunita/{slug}/discussioni/{id}", lang.code())))
}

/// A thread of a community, by the id in the path.
pub(super) async fn thread_of(
    hub: &Hub,
    comm: &Community,
    id: &str,
) -> Result<cantiere_store::community::Thread, AppError> {
    let t = hub.store.community().thread(id_of(id, "thread")?).await?;
    if t.community_id != comm.id {
        return Err(AppError::NotFound(format!("thread #{id} in «{}»", comm.name)));
    }
    Ok(t)
}
