//! Unions of municipalities (unioni di comuni) and other groupings, with
//! their members over time, as a region imports them (IndicePA lists unions
//! as bodies, not their members). Read and checked by `cantiere-territory`'s
//! `unions`; replaced whole here, in one transaction.

use serde::Serialize;
use sqlx::AnyPool;

use crate::db::{FromRow, columns, db, fetch_all, insert_many, row, sql};
use crate::{Backend, Result};

row! {
    /// A comune's membership of a union over a span of dates.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct UnionMember {
        /// The union's iPA code, lower case.
        pub union_ipa: String,
        /// The union's name.
        pub union_name: String,
        /// The member comune's ISTAT code.
        pub member: String,
        /// First day of the membership (`YYYY-MM-DD`).
        pub from_date: String,
        /// Last day (`YYYY-MM-DD`), empty while it lasts.
        pub to_date: String,
        /// Whether the file was imported as invented examples.
        pub example: bool,
    }
}

impl UnionMember {
    /// Whether the comune is a member on `date` (`YYYY-MM-DD`).
    pub fn on(&self, date: &str) -> bool {
        self.from_date.as_str() <= date && (self.to_date.is_empty() || date <= self.to_date.as_str())
    }
}

pub(crate) async fn replace(pool: &AnyPool, backend: Backend, list: &[UnionMember]) -> Result<usize> {
    let mut tx = crate::db::begin(pool).await.map_err(db("starting to store the unions"))?;
    sqlx::query("DELETE FROM union_member").execute(&mut *tx).await.map_err(db("clearing the unions"))?;
    let head = format!("INSERT INTO union_member ({})", columns::<UnionMember>());
    let width = UnionMember::COLUMNS.len();
    insert_many(&mut tx, backend, &head, "", width, 2_000, list.iter().map(UnionMember::values), "storing the unions")
        .await?;
    tx.commit().await.map_err(db("committing the unions"))?;
    Ok(list.len())
}

pub(crate) async fn list(pool: &AnyPool) -> Result<Vec<UnionMember>> {
    let text = format!("SELECT {} FROM union_member ORDER BY union_ipa, member, from_date", columns::<UnionMember>());
    fetch_all(sqlx::query(sql(text)), pool, "the unions").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_membership_holds_from_its_first_to_its_last_day() {
        let m = |from: &str, to: &str| UnionMember {
            union_ipa: "um_test".into(),
            union_name: "Unione".into(),
            member: "037006".into(),
            from_date: from.into(),
            to_date: to.into(),
            example: false,
        };
        assert!(m("2020-01-01", "").on("2026-12-31"));
        assert!(!m("2020-01-01", "").on("2019-12-31"));
        assert!(m("2020-01-01", "2022-06-30").on("2022-06-30"));
        assert!(!m("2020-01-01", "2022-06-30").on("2022-07-01"));
    }
}
