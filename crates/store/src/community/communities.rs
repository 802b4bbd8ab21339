//! Thematic areas, communities and memberships.

use super::*;

impl Communities<'_> {
    // -- areas and communities ---------------------------------------------

    /// Creates a thematic area.
    pub async fn create_area(&self, slug_text: &str, name: &str, description: &str) -> Result<Area> {
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting"))?;
        insert_area(&mut tx, slug_text, name, description).await?;
        tx.commit().await.map_err(db("committing an area"))?;
        self.areas().await?.into_iter().find(|a| a.slug == slug_text.trim()).ok_or(Error::Empty)
    }

    /// Every area, by name.
    pub async fn areas(&self) -> Result<Vec<Area>> {
        fetch_as!(
            self.pool,
            Area,
            "SELECT id, slug, name, description FROM thematic_area ORDER BY name".into(),
            "the areas"
        )
    }

    /// Creates a community in an area (by the area's slug).
    pub async fn create_community(
        &self,
        slug_text: &str,
        area: &str,
        name: &str,
        description: &str,
    ) -> Result<Community> {
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting"))?;
        let id = insert_community(&mut tx, slug_text, area, name, description).await?;
        tx.commit().await.map_err(db("committing a community"))?;
        self.community(id).await
    }

    /// Every community, by area and name.
    pub async fn communities(&self) -> Result<Vec<Community>> {
        fetch_as!(self.pool, Community, format!("{COMMUNITY} ORDER BY t.name, c.name"), "the communities")
    }

    /// A community by id.
    pub async fn community(&self, id: i64) -> Result<Community> {
        by_id(self.pool, COMMUNITY, "c", "community", id).await
    }

    /// A community by its URL name.
    pub async fn community_by_slug(&self, slug: &str) -> Result<Community> {
        let rows =
            fetch_as!(self.pool, Community, format!("{COMMUNITY} WHERE c.slug = $1"), "a community", slug.to_string())?;
        rows.into_iter().next().ok_or_else(|| Error::NotFound(format!("community `{slug}`")))
    }

    // -- memberships ---------------------------------------------------------

    /// Registers a person in a community on behalf of an administration.
    /// An account may claim at most [`MAX_PENDING_BODIES`] bodies whose
    /// editors have not confirmed it yet.
    pub async fn join(&self, community_id: i64, account_id: i64, codice_ipa: &str) -> Result<Membership> {
        self.community(community_id).await?;
        let ipa = known_ipa(self.pool, codice_ipa).await?;
        let pending: HashSet<String> = self
            .memberships_of(account_id)
            .await?
            .into_iter()
            .filter(|m| m.confirmed_by.is_none())
            .map(|m| m.codice_ipa)
            .collect();
        if !pending.contains(&ipa) && pending.len() >= MAX_PENDING_BODIES {
            return Err(Error::invalid(
                "codice_ipa",
                format!(
                    "you already represent {} administrations awaiting their editors' confirmation \
                 (at most {MAX_PENDING_BODIES}): ask them to confirm you first",
                    pending.len()
                ),
            ));
        }
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting"))?;
        let id = insert_membership(&mut tx, community_id, account_id, &ipa, false, None).await?;
        tx.commit().await.map_err(db("committing a membership"))?;
        self.membership(id).await
    }

    /// One membership.
    pub async fn membership(&self, id: i64) -> Result<Membership> {
        by_id(self.pool, MEMBERSHIP, "m", "membership", id).await
    }

    /// Memberships: of one community, or all (by community, body, name).
    pub async fn memberships(&self, community_id: Option<i64>) -> Result<Vec<Membership>> {
        let q = match community_id {
            Some(_) => format!("{MEMBERSHIP} WHERE m.community_id = $1 ORDER BY m.codice_ipa, a.name"),
            None => format!("{MEMBERSHIP} ORDER BY m.community_id, m.codice_ipa, a.name"),
        };
        let mut query = sqlx::query(sql(q));
        if let Some(c) = community_id {
            query = query.bind(c);
        }
        fetch_all(query, self.pool, "memberships").await
    }

    /// A person's memberships.
    pub async fn memberships_of(&self, account_id: i64) -> Result<Vec<Membership>> {
        let q = sqlx::query(sql(format!("{MEMBERSHIP} WHERE m.account_id = $1 ORDER BY m.community_id")));
        fetch_all(q.bind(account_id), self.pool, "memberships").await
    }

    /// The memberships held on behalf of one body, by community.
    pub async fn memberships_for(&self, codice_ipa: &str) -> Result<Vec<Membership>> {
        let q = sqlx::query(sql(format!("{MEMBERSHIP} WHERE m.codice_ipa = $1 ORDER BY m.community_id, a.name")));
        fetch_all(q.bind(codice_ipa.trim().to_lowercase()), self.pool, "memberships").await
    }

    /// Ends one's own membership.
    pub async fn leave(&self, membership_id: i64, account_id: i64) -> Result<()> {
        let m = self.membership(membership_id).await?;
        if m.account_id != account_id {
            return Err(Error::NotAllowed("only the member can leave".into()));
        }
        sqlx::query("DELETE FROM membership WHERE id = $1")
            .bind(membership_id)
            .execute(self.pool)
            .await
            .map_err(db("ending a membership"))?;
        Ok(())
    }

    /// The administration's editor confirms a membership, and may nominate it
    /// the body's referent in the community (replacing the previous one).
    pub async fn confirm(&self, membership_id: i64, editor: &Editor, referent: bool) -> Result<Membership> {
        let m = self.membership(membership_id).await?;
        if m.codice_ipa != editor.codice_ipa.to_lowercase() {
            return Err(Error::NotAllowed(format!(
                "{} edits for `{}` and cannot confirm a member of `{}`",
                editor.name, editor.codice_ipa, m.codice_ipa
            )));
        }
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting"))?;
        if referent {
            sqlx::query("UPDATE membership SET referent = 0 WHERE community_id = $1 AND codice_ipa = $2")
                .bind(m.community_id)
                .bind(m.codice_ipa.clone())
                .execute(&mut *tx)
                .await
                .map_err(db("nominating a referent"))?;
        }
        sqlx::query("UPDATE membership SET confirmed_by = $1, referent = $2 WHERE id = $3")
            .bind(editor.name.clone())
            .bind(i64::from(referent))
            .bind(membership_id)
            .execute(&mut *tx)
            .await
            .map_err(db("confirming a membership"))?;
        tx.commit().await.map_err(db("committing a confirmation"))?;
        self.membership(membership_id).await
    }
}

pub(super) async fn area_id(tx: &mut Tx<'_>, slug: &str) -> Result<Option<i64>> {
    let q = sqlx::query("SELECT id FROM thematic_area WHERE slug = $1").bind(slug.to_string());
    fetch_value(q, &mut **tx, "an area").await
}

pub(super) async fn community_id(tx: &mut Tx<'_>, slug: &str) -> Result<Option<i64>> {
    let q = sqlx::query("SELECT id FROM community WHERE slug = $1").bind(slug.to_string());
    fetch_value(q, &mut **tx, "a community").await
}

pub(super) async fn insert_area(tx: &mut Tx<'_>, slug_text: &str, name: &str, description: &str) -> Result<i64> {
    let slug = slug("slug", slug_text)?;
    let name = text("name", name, MAX_TITLE)?;
    let description = description.trim().to_string();
    if area_id(tx, &slug).await?.is_some() {
        return Err(Error::invalid("slug", format!("an area `{slug}` already exists")));
    }
    let insert = sqlx::query("INSERT INTO thematic_area (slug, name, description) VALUES ($1, $2, $3) RETURNING id")
        .bind(slug)
        .bind(name)
        .bind(description);
    returning_id(insert, &mut **tx, "creating an area").await
}

pub(super) async fn insert_community(
    tx: &mut Tx<'_>,
    slug_text: &str,
    area: &str,
    name: &str,
    description: &str,
) -> Result<i64> {
    let slug = slug("slug", slug_text)?;
    let name = text("name", name, MAX_TITLE)?;
    let area_id = area_id(tx, area.trim())
        .await?
        .ok_or_else(|| Error::invalid("area", format!("no thematic area `{}`", area.trim())))?;
    if community_id(tx, &slug).await?.is_some() {
        return Err(Error::invalid("slug", format!("a community `{slug}` already exists")));
    }
    let insert = sqlx::query(
        "INSERT INTO community (slug, area_id, name, description, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(slug)
    .bind(area_id)
    .bind(name)
    .bind(description.trim().to_string())
    .bind(now());
    returning_id(insert, &mut **tx, "creating a community").await
}

pub(super) async fn insert_membership(
    tx: &mut Tx<'_>,
    community: i64,
    account: i64,
    ipa: &str,
    referent: bool,
    confirmed_by: Option<&str>,
) -> Result<i64> {
    let existing =
        sqlx::query("SELECT id FROM membership WHERE community_id = $1 AND account_id = $2 AND codice_ipa = $3")
            .bind(community)
            .bind(account)
            .bind(ipa.to_string())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db("reading a membership"))?;
    if existing.is_some() {
        return Err(Error::invalid("codice_ipa", format!("already a member of this community for `{ipa}`")));
    }
    let insert = sqlx::query(
        "INSERT INTO membership (community_id, account_id, codice_ipa, referent, confirmed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(community)
    .bind(account)
    .bind(ipa.to_string())
    .bind(i64::from(referent))
    .bind(confirmed_by.map(str::to_string))
    .bind(now());
    returning_id(insert, &mut **tx, "registering a membership").await
}
