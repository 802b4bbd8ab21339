//! Meetings, their registrations and attendance.

use super::*;

impl Communities<'_> {
    // -- meetings ------------------------------------------------------------

    /// Plans a meeting.
    pub async fn create_meeting(&self, community_id: i64, m: &MeetingInput, by: i64) -> Result<Meeting> {
        self.community(community_id).await?;
        let title = text("title", &m.title, MAX_TITLE)?;
        let starts_at = datetime("starts_at", &m.starts_at)?;
        let mode = one_of("mode", &m.mode, &MEETING_MODES)?;
        let link = m.link.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(|l| link("link", l)).transpose()?;
        let place = optional("place", m.place.as_deref(), MAX_TITLE)?;
        if mode != "in_person" && link.is_none() {
            return Err(Error::invalid("link", "an online or hybrid meeting needs its link"));
        }
        if mode != "online" && place.is_none() {
            return Err(Error::invalid("place", "a meeting in person or hybrid needs its place"));
        }
        let agenda = text("agenda", &m.agenda, MAX_TEXT)?;
        let insert = sqlx::query(
            "INSERT INTO meeting (community_id, title, starts_at, mode, link, place, agenda, status, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', $8, $9) RETURNING id",
        )
        .bind(community_id)
        .bind(title)
        .bind(starts_at)
        .bind(mode)
        .bind(link)
        .bind(place)
        .bind(agenda)
        .bind(by)
        .bind(now());
        let id = returning_id(insert, self.pool, "creating a meeting").await?;
        self.meeting(id).await
    }

    /// A meeting.
    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        by_id(self.pool, MEETING, "m", "meeting", id).await
    }

    /// A community's meetings, by start.
    pub async fn meetings(&self, community_id: i64) -> Result<Vec<Meeting>> {
        fetch_as!(
            self.pool,
            Meeting,
            format!("{MEETING} WHERE m.community_id = $1 ORDER BY m.starts_at, m.id"),
            "meetings",
            community_id
        )
    }

    /// Sets a meeting's status and minutes.
    pub async fn update_meeting(&self, id: i64, status: &str, minutes: Option<&str>) -> Result<Meeting> {
        self.meeting(id).await?;
        let status = one_of("status", status, &MEETING_STATUSES)?;
        let minutes = optional("minutes", minutes, MAX_TEXT)?;
        sqlx::query("UPDATE meeting SET status = $1, minutes = $2 WHERE id = $3")
            .bind(status)
            .bind(minutes)
            .bind(id)
            .execute(self.pool)
            .await
            .map_err(db("updating a meeting"))?;
        self.meeting(id).await
    }

    /// Registers a person to a planned meeting.
    pub async fn register(&self, meeting_id: i64, account_id: i64) -> Result<()> {
        let m = self.meeting(meeting_id).await?;
        if m.status != "planned" {
            return Err(Error::invalid("meeting", format!("registrations are closed ({})", m.status)));
        }
        let res = sqlx::query(
            "INSERT INTO meeting_registration (meeting_id, account_id, attended, created_at) VALUES ($1, $2, 0, $3)",
        )
        .bind(meeting_id)
        .bind(account_id)
        .bind(now())
        .execute(self.pool)
        .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if unique_violation(&e) => Err(Error::invalid("meeting", "already registered")),
            Err(e) => Err(db("registering to a meeting")(e)),
        }
    }

    /// A meeting's registrations, by name.
    pub async fn registrations(&self, meeting_id: i64) -> Result<Vec<Registration>> {
        let q = sqlx::query(
            "SELECT r.account_id, a.name, r.attended FROM meeting_registration r JOIN account a ON a.id = r.account_id \
             WHERE r.meeting_id = $1 ORDER BY a.name, r.account_id",
        );
        fetch_all(q.bind(meeting_id), self.pool, "registrations").await
    }

    /// Records who attended (the registrations not listed did not).
    pub async fn set_attendance(&self, meeting_id: i64, attended: &[i64]) -> Result<()> {
        self.meeting(meeting_id).await?;
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting"))?;
        sqlx::query("UPDATE meeting_registration SET attended = 0 WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(&mut *tx)
            .await
            .map_err(db("recording attendance"))?;
        for a in attended {
            sqlx::query("UPDATE meeting_registration SET attended = 1 WHERE meeting_id = $1 AND account_id = $2")
                .bind(meeting_id)
                .bind(*a)
                .execute(&mut *tx)
                .await
                .map_err(db("recording attendance"))?;
        }
        tx.commit().await.map_err(db("committing attendance"))?;
        Ok(())
    }
}
