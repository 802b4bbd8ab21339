//! CSV files of areas, communities and registrations, all or nothing.

use super::*;

impl Communities<'_> {
    // -- files ---------------------------------------------------------------

    /// Imports a file of areas, communities or registrations, all or nothing:
    /// a file with any bad row writes nothing and is refused with one error
    /// per bad row ([`Error::Rows`]). Registrations create the accounts they
    /// name that do not exist yet (without a password: a reset sets one).
    /// Returns the rows written (rows already stored are skipped).
    pub async fn import_csv(&self, kind: CsvKind, file: &str, bytes: &[u8]) -> Result<usize> {
        let rows = read_rows(kind, bytes).map_err(|errors| Error::Rows { file: file.to_string(), errors })?;
        let mut errors = Vec::new();
        if kind == CsvKind::Registrations {
            let known = known_ipa_codes(self.pool).await?;
            for (line, cells) in &rows {
                let ipa = cells["codice_ipa"].trim().to_lowercase();
                if !known.contains(&ipa) {
                    errors.push(RowError {
                        line: *line,
                        column: "codice_ipa".into(),
                        message: format!("`{ipa}` is not a known administration"),
                    });
                }
            }
        }
        let mut tx = crate::db::begin(self.pool).await.map_err(db("starting the import"))?;
        let mut written = 0;
        let mut seen = HashSet::new();
        // (community, body) → the line of its referent in this file.
        let mut referents: HashMap<(String, String), u64> = HashMap::new();
        for (line, cells) in &rows {
            let c = |k: &str| cells.get(k).map(String::as_str).unwrap_or("");
            let res = match kind {
                CsvKind::Areas => {
                    if !seen.insert(c("slug").trim().to_string()) {
                        Err(Error::invalid("slug", "repeated in the file"))
                    } else if area_id(&mut tx, c("slug").trim()).await?.is_some() {
                        Ok(false)
                    } else {
                        insert_area(&mut tx, c("slug"), c("name"), c("description")).await.map(|_| true)
                    }
                }
                CsvKind::Communities => {
                    if !seen.insert(c("slug").trim().to_string()) {
                        Err(Error::invalid("slug", "repeated in the file"))
                    } else if community_id(&mut tx, c("slug").trim()).await?.is_some() {
                        Ok(false)
                    } else {
                        insert_community(&mut tx, c("slug"), c("area"), c("name"), c("description")).await.map(|_| true)
                    }
                }
                CsvKind::Registrations => {
                    if errors.iter().any(|e: &RowError| e.line == *line) {
                        continue;
                    }
                    let body = (c("community").trim().to_string(), c("codice_ipa").trim().to_lowercase());
                    let referent = flag("referent", c("referent")).unwrap_or(false);
                    match referents.get(&body) {
                        Some(first) if referent => Err(Error::invalid(
                            "referent",
                            format!(
                                "`{}` already has a referent in `{}` on line {first}: one per body",
                                body.1, body.0
                            ),
                        )),
                        _ => {
                            if referent {
                                referents.insert(body, *line);
                            }
                            let by = format!("import of {file}");
                            let cells = [c("community"), c("email"), c("name"), c("codice_ipa"), c("referent")];
                            import_registration(&mut tx, cells, &by).await
                        }
                    }
                }
            };
            match res {
                Ok(true) => written += 1,
                Ok(false) => {}
                Err(Error::Invalid { field, message }) => {
                    errors.push(RowError { line: *line, column: field, message });
                }
                Err(Error::NotFound(what)) => {
                    errors.push(RowError { line: *line, column: String::new(), message: what });
                }
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| (a.line, &a.column).cmp(&(b.line, &b.column)));
            // Dropping the transaction rolls it back: nothing written.
            return Err(Error::Rows { file: file.to_string(), errors });
        }
        tx.commit().await.map_err(db("committing the import"))?;
        Ok(written)
    }
}

/// One registration row: the account (created if new), the membership
/// (skipped if stored). Returns whether a membership was written.
async fn import_registration(tx: &mut Tx<'_>, cells: [&str; 5], confirmed_by: &str) -> Result<bool> {
    let [community, email_text, name, ipa, referent] = cells;
    let community_id = community_id(tx, community.trim())
        .await?
        .ok_or_else(|| Error::invalid("community", format!("no community `{}`", community.trim())))?;
    let email = email(email_text)?;
    let name = text("name", name, MAX_TITLE)?;
    let referent = flag("referent", referent)?;
    let ipa = ipa.trim().to_lowercase();
    let known = fetch_value(
        sqlx::query("SELECT id FROM account WHERE email = $1").bind(email.clone()),
        &mut **tx,
        "an account",
    );
    let account: i64 = match known.await? {
        Some(id) => id,
        None => {
            let insert = sqlx::query(
                "INSERT INTO account (email, name, password_hash, is_admin, created_at) VALUES ($1, $2, NULL, 0, $3) \
                 RETURNING id",
            );
            returning_id(insert.bind(email).bind(name).bind(now()), &mut **tx, "creating an account").await?
        }
    };
    let stored =
        sqlx::query("SELECT id FROM membership WHERE community_id = $1 AND account_id = $2 AND codice_ipa = $3")
            .bind(community_id)
            .bind(account)
            .bind(ipa.clone())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db("reading a membership"))?;
    if stored.is_some() {
        return Ok(false);
    }
    // The region vouches for the file it imports: its rows count as confirmed.
    insert_membership(tx, community_id, account, &ipa, referent, Some(confirmed_by)).await?;
    Ok(true)
}

/// The rows of a community file as (line, column → cell), or every problem
/// of its header and rows.
/// Cells of a row by column name, with the row's line.
type Cells = (u64, BTreeMap<String, String>);

fn read_rows(kind: CsvKind, bytes: &[u8]) -> std::result::Result<Vec<Cells>, Vec<RowError>> {
    let err = |line, column: &str, message: String| RowError { line, column: column.to_string(), message };
    let (text, mut reader, header) = open_csv(bytes).map_err(|e| vec![e])?;
    let (required, extra) = kind.columns();
    let missing = missing_columns(&header, required);
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut rows = Vec::new();
    let (good, mut errors) = crate::csv::rows(text, &mut reader, header.len());
    for (line, record) in good {
        let mut cells = BTreeMap::new();
        for name in required.iter().chain(extra) {
            let cell = header.iter().position(|h| h == name).and_then(|p| record.get(p)).unwrap_or("");
            if required.contains(name) && cell.trim().is_empty() {
                errors.push(err(line, name, "required".into()));
            }
            cells.insert((*name).to_string(), cell.to_string());
        }
        rows.push((line, cells));
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}
