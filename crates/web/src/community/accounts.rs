//! Accounts: sign-in, registration, sign-out, password reset.

use super::*;

/// The routes of this resource.
pub(super) fn routes(r: Routes) -> Routes {
    r.page("/{lang}/accesso", &[], account_page)
        .uncached()
        .form("/{lang}/accesso/entra", login)
        .form("/{lang}/accesso/registrati", register)
        .form("/{lang}/accesso/esci", logout)
        .form("/{lang}/accesso/recupero", reset_request)
        .page("/{lang}/accesso/nuova-password", &["token"], reset_page)
        .uncached()
        .form("/{lang}/accesso/nuova-password", reset)
}

/// Renders a page with forms for a visitor who may have no form token yet
/// (no session, no `cantiere_csrf` cookie): gives one, and sets its cookie.
fn with_form_token(hub: &Hub, mut v: Viewer, page: impl FnOnce(&Viewer) -> Answer) -> Answer {
    let cookie = v.csrf.is_empty().then(|| {
        v.csrf = hub.form_key.issue();
        auth::set_cookie(CSRF_COOKIE, &v.csrf, auth::SESSION_SECONDS)
    });
    let mut res = page(&v)?;
    if let Some(c) = cookie {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// The account page titled `title` (its forms in `mode`).
fn account(hub: &Hub, lang: Lang, v: &Viewer, title: &str, ctx: Value) -> Answer {
    show(hub, lang, v, Page { template: "account.html", menu: "account", title, path: "accesso" }, ctx)
}

async fn account_page(Ctx { hub, lang }: Ctx, v: Viewer) -> Answer {
    if v.account.is_some() {
        return Ok(see(format!("/{}/profilo", lang.code())));
    }
    let ctx = context! { mode => "sign_in" };
    with_form_token(&hub, v, |v| account(&hub, lang, v, lang.labels()["sign_in"], ctx))
}

async fn login(Ctx { hub, lang }: Ctx, ClientAddress(address): ClientAddress, Posted(_, f): Posted) -> Answer {
    let email = f.get("email").trim().to_lowercase();
    if !hub.limiter.hit(&format!("login:{address}"), hub.limits.login_per_address) {
        return Err(AppError::TooMany("too many sign-in attempts: wait a few minutes".into()));
    }
    // Failures slow down this account from this address only: its owner elsewhere is not locked out.
    let pair = format!("{email}\n{address}");
    if let Some(wait) = hub.backoff.wait(&pair) {
        let secs = wait.as_secs() + 1;
        return Err(AppError::TooMany(format!(
            "too many failed sign-ins for this account from here: try again in {secs} s"
        )));
    }
    let found = hub.store.community().credentials(&email).await?;
    let ok = match &found {
        Some((_, Some(hash))) => hub.hasher.verify(f.get("password"), hash).await?,
        _ => {
            // The same work for an unknown email, so timing does not tell.
            let _ = hub.hasher.hash("a-password-nobody-has").await;
            false
        }
    };
    let Some((account, _)) = found.filter(|_| ok) else {
        hub.backoff.fail(&pair);
        return Err(AppError::Forbidden("wrong email or password".into()));
    };
    hub.backoff.clear(&pair);
    let cookie = auth::open_session(&hub.store, account.id).await?;
    let mut res = see(format!("/{}/profilo", lang.code()));
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

async fn register(Ctx { hub, lang }: Ctx, ClientAddress(address): ClientAddress, Posted(v, f): Posted) -> Answer {
    if !hub.limiter.hit(&format!("register:{address}"), hub.limits.registrations_per_address) {
        return Err(AppError::TooMany("too many registrations from this address: retry later".into()));
    }
    if f.get("password") != f.get("password2") {
        return Err(AppError::BadRequest("password: the two passwords differ".into()));
    }
    let email = cantiere_store::community::email(f.get("email"))?;
    cantiere_store::community::text("name", f.get("name"), cantiere_store::community::MAX_TITLE)?;
    let c = hub.store.community();
    // The same work and the same answer whether or not the address has an
    // account (no enumeration); its owner is told by mail instead.
    let hash = hub.hasher.hash(f.get("password")).await?;
    let l = lang.labels();
    match c.credentials(&email).await? {
        Some((owner, _)) => {
            let link = format!("{}/{}/accesso", hub.base_url, lang.code());
            hub.mailer.send(
                &owner.email,
                l["registered_again_subject"],
                &format!("{}\n\n{link}\n", l["registered_again_body"]),
            )?;
        }
        None => {
            c.create_account(&email, f.get("name"), Some(&hash)).await?;
        }
    }
    let ctx = context! { mode => "registered" };
    with_form_token(&hub, v, |v| account(&hub, lang, v, l["register"], ctx))
}

async fn logout(Ctx { hub, lang }: Ctx, headers: HeaderMap, Posted(v, _): Posted) -> Answer {
    v.id()?;
    if let Some(t) = auth::cookie(&headers, SESSION_COOKIE) {
        hub.store.community().delete_session(&auth::digest(t)).await?;
    }
    let mut res = see(format!("/{}/", lang.code()));
    res.headers_mut().insert(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0));
    Ok(res)
}

async fn reset_request(Ctx { hub, lang }: Ctx, ClientAddress(address): ClientAddress, Posted(v, f): Posted) -> Answer {
    if !hub.limiter.hit(&format!("reset:{address}"), hub.limits.resets_per_address) {
        return Err(AppError::TooMany("too many reset requests: retry later".into()));
    }
    let c = hub.store.community();
    // The answer is the same whether or not the email has an account.
    if let Some((account, _)) = c.credentials(f.get("email")).await? {
        let t = auth::token();
        c.create_reset(account.id, &auth::digest(&t), auth::now_secs() + auth::RESET_SECONDS).await?;
        let link = format!("{}/{}/accesso/nuova-password?token={t}", hub.base_url, lang.code());
        let l = lang.labels();
        hub.mailer.send(&account.email, l["reset_subject"], &format!("{}\n\n{link}\n", l["reset_body"]))?;
    }
    account(&hub, lang, &v, lang.labels()["reset"], context! { mode => "reset_sent" })
}

async fn reset_page(Ctx { hub, lang }: Ctx, v: Viewer, p: Params) -> Answer {
    let ctx = context! { mode => "new_password", token => p.one("token")?.unwrap_or("") };
    with_form_token(&hub, v, |v| account(&hub, lang, v, lang.labels()["new_password"], ctx))
}

async fn reset(Ctx { hub, lang }: Ctx, Posted(_, f): Posted) -> Answer {
    if f.get("password") != f.get("password2") {
        return Err(AppError::BadRequest("password: the two passwords differ".into()));
    }
    let hash = hub.hasher.hash(f.get("password")).await?;
    let account = hub.store.community().use_reset(&auth::digest(f.get("token")), auth::now_secs(), &hash).await?;
    let cookie = auth::open_session(&hub.store, account.id).await?;
    let mut res = see(format!("/{}/profilo", lang.code()));
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}
