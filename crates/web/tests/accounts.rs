//! Accounts and the admins' file imports through the router, on SQLite
//! and (with DATABASE_URL) a fresh PostgreSQL database: duplicates, wrong
//! passwords, rate limits, forged cookies, password reset, no clear password
//! stored, user text escaped, oversize posts refused; a CSV file with a bad
//! row imported by no one and reported row by row.

mod site;

use axum::http::StatusCode;
use cantiere_store::Snapshot;
use cantiere_web::auth::{Limits, SESSION_COOKIE};
use site::{Client, databases, emilia_romagna, site};
use sqlx::Connection;

#[tokio::test]
async fn accounts_resist_bad_input_on_both_backends() {
    for url in databases("accounts").await {
        accounts_resist_bad_input(&url, emilia_romagna()).await;
    }
}

#[tokio::test]
async fn admins_import_files_all_or_nothing_on_both_backends() {
    for url in databases("imports").await {
        admins_import_files_all_or_nothing(&url, emilia_romagna()).await;
    }
}

/// An admin's CSV upload: a file with bad rows writes nothing and lists every
/// bad row (line, column, what was expected); a good one is imported and
/// counted; an oversize file, a form that is not multipart, an unknown kind
/// and a token sent after the file are refused.
async fn admins_import_files_all_or_nothing(url: &str, er: &Snapshot) {
    let s = site(url, er, Limits::default()).await;
    let c = s.store.community();
    let mut admin = Client::new(&s.app);
    assert_eq!(admin.register("Admin", "admin@import.example.org", "correct horse battery").await, StatusCode::OK);
    let id = c.credentials("admin@import.example.org").await.unwrap().unwrap().0.id;
    c.set_admin(id, true).await.unwrap();
    let (status, page) = admin.get("/it/comunita").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"import-form\"") && page.contains("enctype=\"multipart/form-data\""));
    let memberships = c.memberships(None).await.unwrap().len();
    let import = "/it/comunita/importa";

    let bad = "community,email,name,codice_ipa,referent\n\
               open-data,nuova@import.example.org,Nuova Persona,c_a944,no\n\
               open-data,not-an-email,Senza Email,c_a944,no\n\
               \n\
               open-data,altra@import.example.org,Altra Persona,c_zz999,no\n";
    let fields = [("kind", "registrations"), ("filename", "iscrizioni<b>.csv"), ("file", bad)];
    let (status, page, _) = admin.upload_with(import, &fields, true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("Importazione rifiutata"), "{page}");
    assert!(page.contains("iscrizioni&lt;b&gt;.csv") && !page.contains("iscrizioni<b>"), "the file name is escaped");
    // Line numbers count the header (1) and the blank line (4).
    let table = &page[page.find("id=\"import-errors\"").expect("the report table")..];
    let lines: Vec<(&str, &str)> = table
        .split("<tr><td>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row.split("</td><td>").collect();
            (cells[0], cells[1])
        })
        .collect();
    assert_eq!(lines, vec![("3", "email"), ("5", "codice_ipa")], "{table}");
    assert_eq!(c.memberships(None).await.unwrap().len(), memberships, "nothing written");
    assert!(c.credentials("nuova@import.example.org").await.unwrap().is_none(), "no account made");

    let good = "community;email;name;codice_ipa;referent\nopen-data;nuova@import.example.org;Nuova Persona;c_a944;sì\n";
    let (status, _, location) = admin.upload_with(import, &[("kind", "registrations"), ("file", good)], true).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/it/comunita?importate=1"));
    let (_, page) = admin.get("/it/comunita?importate=1").await;
    assert!(page.contains("id=\"import-done\">1 righe importate"), "the count is shown");
    assert_eq!(c.memberships(None).await.unwrap().len(), memberships + 1);
    assert!(c.credentials("nuova@import.example.org").await.unwrap().is_some());

    // Refused before anything is read: a form that is not multipart, an
    // unknown kind, a token after the file, a file over the limit.
    let (status, _, _) = admin.post(import, &[("kind", "areas")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let areas = "slug,name\nlate-token,Late\n";
    let (status, page, _) = admin.upload_with(import, &[("kind", "people"), ("file", areas)], true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expected areas, communities or registrations"), "{page}");
    let token = admin.csrf.clone();
    let late = [("kind", "areas"), ("file", areas), ("csrf", token.as_str())];
    assert_eq!(admin.upload_with(import, &late, false).await.0, StatusCode::FORBIDDEN);
    let huge = format!("slug,name\n{}", "big,Big\n".repeat(300_000));
    let (status, _, _) = admin.upload_with(import, &[("kind", "areas"), ("file", huge.as_str())], true).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(c.areas().await.unwrap().iter().all(|a| a.slug != "late-token" && a.slug != "big"), "nothing written");
    s.store.close().await;
}

/// The coverage report against the fixture, counted here from the CSV and
/// the run's bodies (no code of the crate involved).
async fn accounts_resist_bad_input(url: &str, er: &Snapshot) {
    let s = site(url, er, Limits::default()).await;
    let c = s.store.community();
    let password = "a long and secret passphrase";
    let mut anna = Client::new(&s.app);
    assert_eq!(anna.register("Anna <b>Bold</b>", "anna@example.org", password).await, StatusCode::OK);
    let (status, profile) = anna.get("/it/profilo").await;
    assert_eq!(status, StatusCode::OK);
    assert!(profile.contains("Anna &lt;b&gt;Bold&lt;/b&gt;") && !profile.contains("<b>Bold</b>"), "names are escaped");
    let session_token = anna.cookies[SESSION_COOKIE].clone();

    // A duplicate email (any case) creates nothing and answers as a new one
    // would (no enumeration); the owner is told by mail; the first account is intact.
    let mut other = Client::new(&s.app);
    other.get("/it/accesso").await;
    let fields = |email| {
        [
            ("name", "Other"),
            ("email", email),
            ("password", "another long password"),
            ("password2", "another long password"),
        ]
    };
    let (known_status, known_page, _) = other.post("/it/accesso/registrati", &fields("ANNA@example.org")).await;
    let (new_status, new_page, _) = other.post("/it/accesso/registrati", &fields("newcomer@example.org")).await;
    assert_eq!((known_status, new_status), (StatusCode::OK, StatusCode::OK));
    let without_token = |p: &str| p.replace(&other.csrf, "");
    assert_eq!(without_token(&known_page), without_token(&new_page), "the same page for a known and a new address");
    assert!(other.session().is_none(), "registering signs nobody in");
    assert_eq!(c.credentials("anna@example.org").await.unwrap().unwrap().0.name, "Anna <b>Bold</b>");
    let mail = s.mailer.sent.lock().unwrap().clone();
    assert_eq!(mail.len(), 1, "only the owner of the known address is written to");
    assert_eq!(mail[0].0, "anna@example.org");
    assert!(mail[0].2.contains("https://cantiere.example.org/it/accesso"), "{}", mail[0].2);
    s.mailer.sent.lock().unwrap().clear();
    // Short passwords and mismatches.
    let mut short = Client::new(&s.app);
    assert_eq!(short.register("S", "short@example.org", "short").await, StatusCode::BAD_REQUEST);
    assert!(c.credentials("short@example.org").await.unwrap().is_none());

    // No clear password or session token anywhere in the database.
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    for (table, columns) in
        [("account", "email, name, password_hash"), ("session", "token_hash, csrf"), ("password_reset", "token_hash")]
    {
        let mut dump = String::new();
        for row in sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {columns} FROM {table}")))
            .fetch_all(&mut conn)
            .await
            .unwrap()
        {
            use sqlx::Row;
            for i in 0..row.len() {
                dump.push_str(&row.try_get::<Option<String>, _>(i).unwrap().unwrap_or_default());
            }
        }
        assert!(!dump.contains(password), "{table} holds the password");
        assert!(!dump.contains(&session_token), "{table} holds the session token");
    }
    conn.close().await.unwrap();
    let stored = c.credentials("anna@example.org").await.unwrap().unwrap().1.unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");

    // Forged and expired cookies are no session.
    let mut forged = Client::new(&s.app);
    forged.cookies.insert(SESSION_COOKIE.into(), "f".repeat(64));
    let (status, body) = forged.get("/it/profilo").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    forged.cookies.insert(SESSION_COOKIE.into(), "<script>".into());
    assert_eq!(forged.get("/it/profilo").await.0, StatusCode::SEE_OTHER);
    // A form token from another session does not work.
    let mut bob = Client::new(&s.app);
    bob.register("Bob", "bob@example.org", "bob's long password").await;
    let stolen = anna.csrf.clone();
    bob.csrf = stolen;
    let (status, _, _) = bob.post("/it/comunita/open-data/aderisci", &[("codice_ipa", "c_a944")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Unknown administrations, stored XSS, oversize posts.
    let (status, body, _) = anna.post("/it/comunita/open-data/aderisci", &[("codice_ipa", "c_zz99")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("c_zz99") && body.contains("not a known administration"));
    let (status, _, _) = anna.post("/it/comunita/open-data/aderisci", &[("codice_ipa", "c_a944")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let xss = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let (status, _, location) = anna.post("/it/comunita/open-data/discussioni", &[("title", xss), ("body", xss)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = anna.get(&location).await;
    assert!(!page.contains("<script>alert") && !page.contains("<img src=x"), "user text is escaped");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    let big = "x".repeat(cantiere_web::MAX_BODY + 10);
    let (status, _, _) = anna.post("/it/comunita/open-data/discussioni", &[("title", "Big"), ("body", &big)]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let long = "y".repeat(20_001);
    let (status, body, _) =
        anna.post("/it/comunita/open-data/discussioni", &[("title", "Long"), ("body", &long)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("at most 20000 characters"));

    // Wrong passwords from one address: refused, then that address waits
    // (5 failures free) — but the owner, elsewhere, is not locked out.
    let mut mallory = Client::from(&s.app, "203.0.113.9:40000");
    mallory.get("/it/accesso").await;
    for i in 0..5 {
        let (status, _, _) = mallory
            .post("/it/accesso/entra", &[("email", "anna@example.org"), ("password", &format!("guess {i} long"))])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "attempt {i}");
    }
    let (status, page, _) =
        mallory.post("/it/accesso/entra", &[("email", "anna@example.org"), ("password", password)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "from the guessing address even the right password waits");
    assert!(page.contains("try again in 1 s") || page.contains("try again in 2 s"), "a short wait, said: {page}");
    let mut owner = Client::from(&s.app, "198.51.100.7:50000");
    assert_eq!(owner.sign_in("anna@example.org", password).await, StatusCode::SEE_OTHER, "the owner signs in");

    // Password reset: the link arrives by mail, works once, closes sessions.
    let mut reset = Client::new(&s.app);
    reset.get("/it/accesso").await;
    let (status, _, _) = reset.post("/it/accesso/recupero", &[("email", "bob@example.org")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = reset.post("/it/accesso/recupero", &[("email", "nobody@example.org")]).await;
    assert_eq!(status, StatusCode::OK, "the same answer for an unknown email");
    let mail = s.mailer.sent.lock().unwrap().clone();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "bob@example.org");
    let link = mail[0].2.lines().find(|l| l.starts_with("https://")).unwrap().to_string();
    let token = link.split("token=").nth(1).unwrap().to_string();
    let path = link.trim_start_matches("https://cantiere.example.org").to_string();
    let (status, _) = reset.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    let new = "bob's brand new password";
    let fields = [("token", token.as_str()), ("password", new), ("password2", new)];
    let (status, _, _) = reset.post("/it/accesso/nuova-password", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(bob.get("/it/profilo").await.0, StatusCode::SEE_OTHER, "bob's old session is closed");
    let mut again = Client::new(&s.app);
    again.get("/it/accesso").await;
    assert_eq!(again.post("/it/accesso/nuova-password", &fields).await.0, StatusCode::BAD_REQUEST, "used once");
    let (status, _, _) = again.post("/it/accesso/entra", &[("email", "bob@example.org"), ("password", new)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    s.store.close().await;
}
