//! Writing the tables as one `.xlsx` workbook, the file COINr users
//! exchange: one worksheet per table, text as inline strings, numbers in the
//! same shortest form as the CSV files, missing values as empty cells.
//! Written in parts (a zip entry per sheet, rows formatted in parallel
//! chunks), never held whole; [`crate::Table::read`] reads it back.

use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;

use crate::write::{push_number, write_rows};

/// The most rows and columns a worksheet holds.
pub const MAX_ROWS: usize = 1_048_576;
/// See [`MAX_ROWS`].
pub const MAX_COLUMNS: usize = 16_384;

const NS: &str = "http://schemas.openxmlformats.org";

/// A workbook being written.
pub struct Workbook<W: Write + Seek + Send> {
    zip: zip::ZipWriter<W>,
    sheets: Vec<String>,
}

impl<W: Write + Seek + Send> std::fmt::Debug for Workbook<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbook").field("sheets", &self.sheets).finish_non_exhaustive()
    }
}

/// A cell of a sheet's row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Text.
    Text(&'a str),
    /// A number (`NaN`: an empty cell).
    Number(f64),
}

fn escape(out: &mut Vec<u8>, text: &str) {
    for b in text.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            // Control characters are not allowed in XML 1.0.
            b if b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r' => {}
            b => out.push(b),
        }
    }
}

/// The column letters of a 0-based column (`A`, …, `Z`, `AA`, …).
pub fn column_name(mut c: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

fn io(e: zip::result::ZipError) -> std::io::Error {
    std::io::Error::other(e)
}

impl<W: Write + Seek + Send> Workbook<W> {
    /// A workbook written to `out`.
    pub fn new(out: W) -> Workbook<W> {
        Workbook { zip: zip::ZipWriter::new(out), sheets: Vec::new() }
    }

    /// Adds a sheet `name` (at most 31 characters: longer names are cut) with
    /// a header row and `rows` rows whose cells `row` gives.
    pub fn sheet<'a>(
        &mut self,
        name: &str,
        header: &[&str],
        rows: usize,
        row: impl Fn(usize, &mut Vec<Cell<'a>>) + Sync,
    ) -> std::io::Result<()> {
        if rows + 1 > MAX_ROWS || header.len() > MAX_COLUMNS {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{name}: {} rows × {} columns do not fit in a worksheet (at most {MAX_ROWS} × {MAX_COLUMNS}): write CSV",
                    rows + 1,
                    header.len()
                ),
            ));
        }
        let name: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        let n = self.sheets.len() + 1;
        self.zip.start_file(format!("xl/worksheets/sheet{n}.xml"), stored()).map_err(io)?;
        self.sheets.push(name);
        let letters: Vec<String> = (0..header.len()).map(column_name).collect();
        let mut head = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{NS}/spreadsheetml/2006/main\"><sheetData>"
        )
        .into_bytes();
        let cells: Vec<Cell> = header.iter().map(|h| Cell::Text(h)).collect();
        write_row(&mut head, 1, &letters, &cells);
        self.zip.write_all(&head)?;
        write_rows(&mut self.zip, rows, |r, buf| {
            let mut cells = Vec::with_capacity(letters.len());
            row(r, &mut cells);
            write_row(buf, r + 2, &letters, &cells);
        })?;
        self.zip.write_all(b"</sheetData></worksheet>")
    }

    /// Writes the workbook's own parts and closes it.
    pub fn finish(mut self) -> std::io::Result<W> {
        let n = self.sheets.len();
        let overrides: String = (1..=n)
            .map(|i| format!("<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
            .collect();
        let mut sheets = Vec::new();
        for (i, name) in self.sheets.iter().enumerate() {
            sheets.extend_from_slice(b"<sheet name=\"");
            escape(&mut sheets, name);
            sheets.extend_from_slice(format!("\" sheetId=\"{}\" r:id=\"rId{}\"/>", i + 1, i + 1).as_bytes());
        }
        let relations: String = (1..=n)
            .map(|i| format!("<Relationship Id=\"rId{i}\" Type=\"{NS}/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))
            .collect();
        let parts = [
            (
                "[Content_Types].xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"{NS}/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>{overrides}</Types>"
                ),
            ),
            (
                "_rels/.rels",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{NS}/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{NS}/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{NS}/spreadsheetml/2006/main\" xmlns:r=\"{NS}/officeDocument/2006/relationships\"><sheets>{}</sheets></workbook>",
                    String::from_utf8_lossy(&sheets)
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{NS}/package/2006/relationships\">{relations}</Relationships>"
                ),
            ),
        ];
        for (name, text) in parts {
            self.zip.start_file(name, stored()).map_err(io)?;
            self.zip.write_all(text.as_bytes())?;
        }
        self.zip.finish().map_err(io)
    }
}

fn stored() -> SimpleFileOptions {
    // Stored, not deflated: the numbers are written as fast as the CSV files.
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true)
}

fn write_row(out: &mut Vec<u8>, r: usize, letters: &[String], cells: &[Cell]) {
    out.extend_from_slice(format!("<row r=\"{r}\">").as_bytes());
    for (c, cell) in cells.iter().enumerate() {
        let Some(letter) = letters.get(c) else { break };
        match *cell {
            Cell::Number(x) if x.is_nan() => {}
            Cell::Number(x) if x.is_finite() => {
                out.extend_from_slice(format!("<c r=\"{letter}{r}\"><v>").as_bytes());
                push_number(out, x);
                out.extend_from_slice(b"</v></c>");
            }
            Cell::Number(x) => {
                let text = if x > 0.0 { "Inf" } else { "-Inf" };
                out.extend_from_slice(
                    format!("<c r=\"{letter}{r}\" t=\"inlineStr\"><is><t>{text}</t></is></c>").as_bytes(),
                );
            }
            Cell::Text("") => {}
            Cell::Text(t) => {
                out.extend_from_slice(
                    format!("<c r=\"{letter}{r}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">").as_bytes(),
                );
                escape(out, t);
                out.extend_from_slice(b"</t></is></c>");
            }
        }
    }
    out.extend_from_slice(b"</row>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_letter_them() {
        let names: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702, 16_383].into_iter().map(column_name).collect();
        assert_eq!(names, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]);
    }

    #[test]
    fn a_workbook_reads_back_as_its_tables() {
        let dir = std::env::temp_dir().join(format!("cantiere-xlsx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.xlsx");
        let mut wb = Workbook::new(std::fs::File::create(&path).unwrap());
        let names = ["Forlì <1>", "B&B", ""];
        let values = [1.5, f64::NAN, 1e-7];
        wb.sheet("Raw", &["uCode", "x"], 3, |r, cells| {
            cells.push(Cell::Text(names[r]));
            cells.push(Cell::Number(values[r]));
        })
        .unwrap();
        wb.sheet("results", &["uCode", "Index"], 1, |_, cells| {
            cells.extend([Cell::Text("IT"), Cell::Number(42.0)]);
        })
        .unwrap();
        wb.finish().unwrap();
        let t = crate::Table::read(&path).unwrap();
        assert_eq!(t.headers, ["uCode", "x"]);
        let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.1.clone()).collect();
        assert_eq!(rows, [vec!["Forlì <1>", "1.5"], vec!["B&B", ""], vec!["", "0.0000001"]]);
        assert_eq!(t.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3, 4]);
        let e = Workbook::new(std::io::Cursor::new(Vec::new())).sheet("x", &["a"; 20_000], 1, |_, _| {});
        assert!(e.unwrap_err().to_string().contains("write CSV"));
    }
}
