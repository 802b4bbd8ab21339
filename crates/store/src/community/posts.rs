//! What members write: resources, threads and their messages, consultations
//! with proposals, comments and support.

use super::*;

impl Communities<'_> {
    // -- resources -----------------------------------------------------------

    /// Shares a resource.
    pub async fn add_resource(&self, community_id: i64, r: &ResourceInput, by: i64) -> Result<Resource> {
        self.community(community_id).await?;
        let kind = one_of("kind", &r.kind, &RESOURCE_KINDS)?;
        let title = text("title", &r.title, MAX_TITLE)?;
        let url = r.url.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(|l| link("url", l)).transpose()?;
        let description = text("description", &r.description, MAX_TEXT)?;
        if let Some(s) = r.solution_id {
            let found: Option<i64> =
                fetch_value(sqlx::query("SELECT id FROM solution WHERE id = $1").bind(s), self.pool, "the catalog")
                    .await?;
            if found.is_none() {
                return Err(Error::invalid("solution", format!("#{s} is not in the catalog")));
            }
        }
        let insert = sqlx::query(
            "INSERT INTO resource (community_id, kind, title, url, solution_id, description, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(community_id)
        .bind(kind)
        .bind(title)
        .bind(url)
        .bind(r.solution_id)
        .bind(description)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, self.pool, "sharing a resource").await?;
        by_id(self.pool, RESOURCE, "r", "resource", id).await
    }

    /// Resources: of one community, or all.
    pub async fn resources(&self, community_id: Option<i64>) -> Result<Vec<Resource>> {
        match community_id {
            Some(c) => fetch_as!(
                self.pool,
                Resource,
                format!("{RESOURCE} WHERE r.community_id = $1 ORDER BY r.kind, r.title"),
                "resources",
                c
            ),
            None => fetch_as!(self.pool, Resource, format!("{RESOURCE} ORDER BY r.id"), "resources"),
        }
    }

    // -- threads -------------------------------------------------------------

    /// Opens a thread with its first message.
    pub async fn create_thread(&self, community_id: i64, title: &str, body: &str, by: i64) -> Result<Thread> {
        self.community(community_id).await?;
        let title = text("title", title, MAX_TITLE)?;
        let body = text("body", body, MAX_TEXT)?;
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting"))?;
        let insert = sqlx::query(
            "INSERT INTO thread (community_id, title, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(community_id)
        .bind(title)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, &mut *tx, "opening a thread").await?;
        insert_post(&mut tx, Some(id), None, &body, by).await?;
        tx.commit().await.map_err(db("committing a thread"))?;
        self.thread(id).await
    }

    /// A thread.
    pub async fn thread(&self, id: i64) -> Result<Thread> {
        by_id(self.pool, THREAD, "t", "thread", id).await
    }

    /// A community's threads, newest first.
    pub async fn threads(&self, community_id: i64) -> Result<Vec<Thread>> {
        fetch_as!(
            self.pool,
            Thread,
            format!("{THREAD} WHERE t.community_id = $1 ORDER BY t.id DESC"),
            "threads",
            community_id
        )
    }

    /// A page of a community's threads, newest first.
    pub async fn threads_page(&self, community_id: i64, slice: Slice) -> Result<Paged<Thread>> {
        let select = format!("{THREAD} WHERE t.community_id = $1 ORDER BY t.id DESC");
        let count = "SELECT COUNT(*) FROM thread WHERE community_id = $1";
        paged(self.pool, select, count, community_id, slice, "threads").await
    }

    /// Replies to a thread.
    pub async fn reply(&self, thread_id: i64, body: &str, by: i64) -> Result<Post> {
        self.thread(thread_id).await?;
        let body = text("body", body, MAX_TEXT)?;
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting"))?;
        let id = insert_post(&mut tx, Some(thread_id), None, &body, by).await?;
        tx.commit().await.map_err(db("committing a reply"))?;
        self.post(id).await
    }

    /// A thread's messages, in order.
    pub async fn posts(&self, thread_id: i64) -> Result<Vec<Post>> {
        fetch_as!(self.pool, Post, format!("{POST} WHERE p.thread_id = $1 ORDER BY p.id"), "posts", thread_id)
    }

    /// A page of a thread's messages, in order.
    pub async fn posts_page(&self, thread_id: i64, slice: Slice) -> Result<Paged<Post>> {
        let select = format!("{POST} WHERE p.thread_id = $1 ORDER BY p.id");
        paged(self.pool, select, "SELECT COUNT(*) FROM post WHERE thread_id = $1", thread_id, slice, "posts").await
    }

    /// A page of a community's resources, by kind and title.
    pub async fn resources_page(&self, community_id: i64, slice: Slice) -> Result<Paged<Resource>> {
        let select = format!("{RESOURCE} WHERE r.community_id = $1 ORDER BY r.kind, r.title, r.id");
        let count = "SELECT COUNT(*) FROM resource WHERE community_id = $1";
        paged(self.pool, select, count, community_id, slice, "resources").await
    }

    async fn post(&self, id: i64) -> Result<Post> {
        by_id(self.pool, POST, "p", "post", id).await
    }

    // -- consultations -------------------------------------------------------

    /// Opens a consultation (status `draft` or `open`).
    pub async fn create_consultation(
        &self,
        community_id: i64,
        title: &str,
        body: &str,
        status: &str,
        by: i64,
    ) -> Result<Consultation> {
        self.community(community_id).await?;
        let title = text("title", title, MAX_TITLE)?;
        let body = text("body", body, MAX_TEXT)?;
        let status = one_of("status", status, &CONSULTATION_STATUSES)?;
        let insert = sqlx::query(
            "INSERT INTO consultation (community_id, title, body, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(community_id)
        .bind(title)
        .bind(body)
        .bind(status)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, self.pool, "opening a consultation").await?;
        self.consultation(id).await
    }

    /// A consultation.
    pub async fn consultation(&self, id: i64) -> Result<Consultation> {
        by_id(self.pool, CONSULTATION, "c", "consultation", id).await
    }

    /// A community's consultations, newest first.
    pub async fn consultations(&self, community_id: i64) -> Result<Vec<Consultation>> {
        fetch_as!(
            self.pool,
            Consultation,
            format!("{CONSULTATION} WHERE c.community_id = $1 ORDER BY c.id DESC"),
            "consultations",
            community_id
        )
    }

    /// Changes a consultation's status.
    pub async fn set_consultation_status(&self, id: i64, status: &str) -> Result<Consultation> {
        self.consultation(id).await?;
        let status = one_of("status", status, &CONSULTATION_STATUSES)?;
        sqlx::query("UPDATE consultation SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(self.pool)
            .await
            .map_err(db("updating a consultation"))?;
        self.consultation(id).await
    }

    async fn open_consultation_of(&self, consultation_id: i64) -> Result<Consultation> {
        let c = self.consultation(consultation_id).await?;
        if c.status != "open" {
            return Err(Error::invalid("consultation", format!("not open ({})", c.status)));
        }
        Ok(c)
    }

    /// Adds a proposal to an open consultation.
    pub async fn add_proposal(&self, consultation_id: i64, title: &str, body: &str, by: i64) -> Result<Proposal> {
        self.open_consultation_of(consultation_id).await?;
        let title = text("title", title, MAX_TITLE)?;
        let body = text("body", body, MAX_TEXT)?;
        let insert = sqlx::query(
            "INSERT INTO proposal (consultation_id, title, body, status, created_by, created_at) \
             VALUES ($1, $2, $3, 'submitted', $4, $5) RETURNING id",
        )
        .bind(consultation_id)
        .bind(title)
        .bind(body)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, self.pool, "adding a proposal").await?;
        self.proposal(id).await
    }

    /// A proposal.
    pub async fn proposal(&self, id: i64) -> Result<Proposal> {
        by_id(self.pool, PROPOSAL, "p", "proposal", id).await
    }

    /// A consultation's proposals, most supported first.
    pub async fn proposals(&self, consultation_id: i64) -> Result<Vec<Proposal>> {
        let mut out = fetch_as!(
            self.pool,
            Proposal,
            format!("{PROPOSAL} WHERE p.consultation_id = $1 ORDER BY p.id"),
            "proposals",
            consultation_id
        )?;
        out.sort_by(|a, b| b.supports.cmp(&a.supports).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Changes a proposal's status.
    pub async fn set_proposal_status(&self, id: i64, status: &str) -> Result<Proposal> {
        self.proposal(id).await?;
        let status = one_of("status", status, &PROPOSAL_STATUSES)?;
        sqlx::query("UPDATE proposal SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(self.pool)
            .await
            .map_err(db("updating a proposal"))?;
        self.proposal(id).await
    }

    /// Comments on a proposal of an open consultation.
    pub async fn comment(&self, proposal_id: i64, body: &str, by: i64) -> Result<Post> {
        let p = self.proposal(proposal_id).await?;
        self.open_consultation_of(p.consultation_id).await?;
        let body = text("body", body, MAX_TEXT)?;
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting"))?;
        let id = insert_post(&mut tx, None, Some(proposal_id), &body, by).await?;
        tx.commit().await.map_err(db("committing a comment"))?;
        self.post(id).await
    }

    /// A proposal's comments, in order.
    pub async fn comments(&self, proposal_id: i64) -> Result<Vec<Post>> {
        fetch_as!(self.pool, Post, format!("{POST} WHERE p.proposal_id = $1 ORDER BY p.id"), "comments", proposal_id)
    }

    /// Supports a proposal of an open consultation (once per person).
    pub async fn support(&self, proposal_id: i64, account_id: i64) -> Result<Proposal> {
        let p = self.proposal(proposal_id).await?;
        self.open_consultation_of(p.consultation_id).await?;
        let res = sqlx::query("INSERT INTO support (proposal_id, account_id, created_at) VALUES ($1, $2, $3)")
            .bind(proposal_id)
            .bind(account_id)
            .bind(now())
            .execute(self.pool)
            .await;
        match res {
            Ok(_) => self.proposal(proposal_id).await,
            Err(e) if unique_violation(&e) => Err(Error::invalid("support", "already supported")),
            Err(e) => Err(db("supporting a proposal")(e)),
        }
    }
}

async fn insert_post(tx: &mut Tx<'_>, thread: Option<i64>, proposal: Option<i64>, body: &str, by: i64) -> Result<i64> {
    let insert = sqlx::query(
        "INSERT INTO post (thread_id, proposal_id, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(thread)
    .bind(proposal)
    .bind(body.to_string())
    .bind(by)
    .bind(now());
    returning_id(insert, &mut **tx, "writing a message").await
}
