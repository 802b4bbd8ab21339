//! The administrations the site names: iPA code, name, ISTAT category and
//! seat, merged by `cantiere-territory` from the lists an operator loads
//! (PA digitale 2026's applicants, IndicePA's 2018 list), with the lists
//! that knew each code. The catalog shows owners and adopters by name, the
//! communities count local bodies against them. Replaced whole at each load.

use serde::Serialize;
use sqlx::AnyPool;

use crate::db::{FromRow, columns, db, fetch_all, insert_many, row, sql};
use crate::{Backend, Result};

row! {
    /// One administration.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Administration {
        /// Its iPA code, lower case.
        pub codice_ipa: String,
        /// Its name.
        pub name: String,
        /// Its category (PA digitale's `tipologia_ente`, else IndicePA's `tipologia_istat`).
        pub category: String,
        /// The ISTAT code of the comune it sits in, when a list gives it.
        pub municipality_code: String,
        /// The name of the comune it sits in.
        pub municipality: String,
        /// The region it sits in.
        pub region: String,
        /// The lists that know the code, newest first, `;`-separated
        /// (`padigitale2026;indicepa-2018`).
        pub lists: String,
    }
}

pub(crate) async fn replace(pool: &AnyPool, backend: Backend, list: &[Administration]) -> Result<usize> {
    let mut tx = crate::db::begin(pool).await.map_err(db("starting to store the administrations"))?;
    sqlx::query("DELETE FROM administration").execute(&mut *tx).await.map_err(db("clearing the administrations"))?;
    let head = format!("INSERT INTO administration ({})", columns::<Administration>());
    let rows = list.iter().map(Administration::values);
    let width = Administration::COLUMNS.len();
    insert_many(&mut tx, backend, &head, "", width, 2_000, rows, "storing the administrations").await?;
    tx.commit().await.map_err(db("committing the administrations"))?;
    Ok(list.len())
}

pub(crate) async fn list(pool: &AnyPool) -> Result<Vec<Administration>> {
    let text = format!("SELECT {} FROM administration ORDER BY codice_ipa", columns::<Administration>());
    fetch_all(sqlx::query(sql(text)), pool, "the administrations").await
}
