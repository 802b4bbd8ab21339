//! Accounts, roles, sessions, password resets and external identities.

use super::*;

impl Communities<'_> {
    // -- accounts ----------------------------------------------------------

    /// Creates an account; `password_hash` is an argon2id PHC string (or none).
    pub async fn create_account(&self, email_text: &str, name: &str, password_hash: Option<&str>) -> Result<Account> {
        let email = email(email_text)?;
        let name = text("name", name, MAX_TITLE)?;
        if let Some(h) = password_hash
            && !h.starts_with("$argon2id$")
        {
            return Err(Error::invalid("password_hash", "expected an argon2id PHC string"));
        }
        let res = sqlx::query(
            "INSERT INTO account (email, name, password_hash, is_admin, created_at) VALUES ($1, $2, $3, 0, $4) \
             RETURNING id",
        )
        .bind(email.clone())
        .bind(name)
        .bind(password_hash.map(str::to_string))
        .bind(now())
        .fetch_one(self.pool)
        .await;
        match res {
            Ok(row) => self.account(Column::read(&row, "id").map_err(db("creating an account"))?).await,
            Err(e) if unique_violation(&e) => {
                Err(Error::invalid("email", format!("an account with `{email}` already exists")))
            }
            Err(e) => Err(db("creating an account")(e)),
        }
    }

    /// An account by id.
    pub async fn account(&self, id: i64) -> Result<Account> {
        by_id(self.pool, ACCOUNT, "account", "account", id).await
    }

    /// An account and its password hash by email (none if unknown).
    pub async fn credentials(&self, email_text: &str) -> Result<Option<(Account, Option<String>)>> {
        let Ok(email) = email(email_text) else { return Ok(None) };
        let q = sqlx::query(sql(format!("{ACCOUNT} WHERE email = $1"))).bind(email);
        let found: Option<Credentials> = fetch_optional(q, self.pool, "an account").await?;
        Ok(found.map(|c| (c.account, c.password_hash)))
    }

    /// Every account, by email.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        fetch_all(sqlx::query(sql(format!("{ACCOUNT} ORDER BY email"))), self.pool, "the accounts").await
    }

    /// Makes an account a platform admin (or not).
    pub async fn set_admin(&self, account_id: i64, admin: bool) -> Result<()> {
        self.account(account_id).await?;
        sqlx::query("UPDATE account SET is_admin = $1 WHERE id = $2")
            .bind(i64::from(admin))
            .bind(account_id)
            .execute(self.pool)
            .await
            .map_err(db("changing a role"))?;
        Ok(())
    }

    /// The account's scoped roles.
    pub async fn grants(&self, account_id: i64) -> Result<Grants> {
        let q = sqlx::query("SELECT codice_ipa FROM editor WHERE account_id = $1 ORDER BY codice_ipa");
        let editor_of = fetch_column(q.bind(account_id), self.pool, "roles").await?;
        let q = sqlx::query("SELECT community_id FROM coordinator WHERE account_id = $1 ORDER BY community_id");
        let coordinator_of = fetch_column(q.bind(account_id), self.pool, "roles").await?;
        Ok(Grants { editor_of, coordinator_of })
    }

    /// Lets an account act for an administration.
    pub async fn grant_editor(&self, account_id: i64, codice_ipa: &str, granted_by: &str) -> Result<()> {
        self.account(account_id).await?;
        let ipa = known_ipa(self.pool, codice_ipa).await?;
        let res =
            sqlx::query("INSERT INTO editor (account_id, codice_ipa, granted_by, granted_at) VALUES ($1, $2, $3, $4)")
                .bind(account_id)
                .bind(ipa)
                .bind(granted_by.to_string())
                .bind(now())
                .execute(self.pool)
                .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if unique_violation(&e) => Ok(()),
            Err(e) => Err(db("granting the editor role")(e)),
        }
    }

    /// Makes an account coordinator of a community.
    pub async fn grant_coordinator(&self, account_id: i64, community_id: i64) -> Result<()> {
        self.account(account_id).await?;
        self.community(community_id).await?;
        let res = sqlx::query("INSERT INTO coordinator (account_id, community_id) VALUES ($1, $2)")
            .bind(account_id)
            .bind(community_id)
            .execute(self.pool)
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if unique_violation(&e) => Ok(()),
            Err(e) => Err(db("granting the coordinator role")(e)),
        }
    }

    /// A community's coordinators.
    pub async fn coordinators(&self, community_id: i64) -> Result<Vec<Account>> {
        let q = sqlx::query(sql(format!(
            "{ACCOUNT} WHERE id IN (SELECT account_id FROM coordinator WHERE community_id = $1) ORDER BY name"
        )));
        fetch_all(q.bind(community_id), self.pool, "coordinators").await
    }

    // -- sessions and password resets --------------------------------------

    /// Stores a session (the token's digest, its form token, its expiry).
    pub async fn create_session(&self, account_id: i64, token_hash: &str, csrf: &str, expires_at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO session (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash.to_string())
        .bind(account_id)
        .bind(csrf.to_string())
        .bind(now())
        .bind(expires_at)
        .execute(self.pool)
        .await
        .map_err(db("opening a session"))?;
        Ok(())
    }

    /// The live session of a token digest at `now_secs`.
    pub async fn session(&self, token_hash: &str, now_secs: i64) -> Result<Option<Session>> {
        row! {
            struct Open {
                account_id: i64,
                csrf: String,
                expires_at: i64,
            }
        }
        let q = sqlx::query(sql(format!("SELECT {} FROM session WHERE token_hash = $1", columns::<Open>())));
        let found: Option<Open> = fetch_optional(q.bind(token_hash.to_string()), self.pool, "a session").await?;
        let Some(Open { account_id, csrf, expires_at }) = found else { return Ok(None) };
        if expires_at <= now_secs {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        Ok(Some(Session { account: self.account(account_id).await?, csrf, expires_at }))
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(self.pool)
            .await
            .map_err(db("closing a session"))?;
        Ok(())
    }

    /// Stores a password-reset token digest.
    pub async fn create_reset(&self, account_id: i64, token_hash: &str, expires_at: i64) -> Result<()> {
        sqlx::query("INSERT INTO password_reset (token_hash, account_id, expires_at, used) VALUES ($1, $2, $3, 0)")
            .bind(token_hash.to_string())
            .bind(account_id)
            .bind(expires_at)
            .execute(self.pool)
            .await
            .map_err(db("storing a reset token"))?;
        Ok(())
    }

    /// Uses a reset token once: sets the new password hash and closes every
    /// session of the account, in one transaction.
    pub async fn use_reset(&self, token_hash: &str, now_secs: i64, new_hash: &str) -> Result<Account> {
        if !new_hash.starts_with("$argon2id$") {
            return Err(Error::invalid("password_hash", "expected an argon2id PHC string"));
        }
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting a password reset"))?;
        row! {
            struct Reset {
                account_id: i64,
                expires_at: i64,
                used: bool,
            }
        }
        let q = sqlx::query(sql(format!("SELECT {} FROM password_reset WHERE token_hash = $1", columns::<Reset>())));
        let found: Option<Reset> = fetch_optional(q.bind(token_hash.to_string()), &mut *tx, "a reset token").await?;
        let invalid = || Error::invalid("token", "this reset link is unknown, used or expired");
        let Reset { account_id, expires_at, used } = found.ok_or_else(invalid)?;
        if used || expires_at <= now_secs {
            return Err(invalid());
        }
        for (q, what) in [
            // Every link of the account is spent, not only this one.
            ("UPDATE password_reset SET used = 1 WHERE account_id = $1", "using a reset token"),
            ("UPDATE account SET password_hash = $1 WHERE id = $2", "setting a password"),
            ("DELETE FROM session WHERE account_id = $1", "closing sessions"),
        ] {
            let query = sqlx::query(q);
            let query = match what {
                "using a reset token" => query.bind(account_id),
                "setting a password" => query.bind(new_hash.to_string()).bind(account_id),
                _ => query.bind(account_id),
            };
            query.execute(&mut *tx).await.map_err(db(what))?;
        }
        tx.commit().await.map_err(db("committing a password reset"))?;
        self.account(account_id).await
    }

    /// Signs in through an external identity provider (SPID, CIE…): the
    /// account linked to `(provider, subject)`, else the account with that
    /// email (then linked), else a new account without password (linked).
    pub async fn external_sign_in(
        &self,
        provider: &str,
        subject: &str,
        email_text: &str,
        name: &str,
    ) -> Result<Account> {
        let provider = slug("provider", provider)?;
        let subject = text("subject", subject, MAX_TITLE)?;
        let q = sqlx::query("SELECT account_id FROM external_identity WHERE provider = $1 AND subject = $2");
        let known =
            fetch_value(q.bind(provider.clone()).bind(subject.clone()), self.pool, "an external identity").await?;
        if let Some(account_id) = known {
            return self.account(account_id).await;
        }
        let account = match self.credentials(email_text).await? {
            Some((a, _)) => a,
            None => self.create_account(email_text, name, None).await?,
        };
        sqlx::query(
            "INSERT INTO external_identity (provider, subject, account_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(provider)
        .bind(subject)
        .bind(account.id)
        .bind(now())
        .execute(self.pool)
        .await
        .map_err(db("linking an external identity"))?;
        Ok(account)
    }
}
