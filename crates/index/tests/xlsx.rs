//! Inputs from Excel workbooks: the first worksheet of an `.xlsx` file reads
//! exactly as the same table in CSV, and errors name the workbook, the sheet,
//! the row and the column.
//!
//! The workbooks are written by the test itself (a minimal SpreadsheetML
//! package: numbers as numeric cells, text as inline strings), from COINr's
//! ASEM CSV inputs, so no binary fixture lives in the repository.

mod common;

use std::io::Write;
use std::path::Path;

use cantiere_index::{Pipeline, Table, read_inputs};
use zip::write::SimpleFileOptions;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes `rows` (first row = header) as the only sheet, named `sheet`, of a
/// workbook at `path`. Cells that parse as numbers become numeric cells.
fn write_xlsx(path: &Path, sheet: &str, rows: &[Vec<String>]) {
    let mut data = String::new();
    for (r, row) in rows.iter().enumerate() {
        data.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let at = format!("{}{}", cantiere_index::xlsx::column_name(c), r + 1);
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => data.push_str(&format!("<c r=\"{at}\"><v>{cell}</v></c>")),
                _ => data.push_str(&format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>", escape(cell))),
            }
        }
        data.push_str("</row>");
    }
    let ns = "http://schemas.openxmlformats.org";
    // A relationships part with one relationship, of `kind`, to `target`.
    let relationship = |kind: &str, target: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{ns}/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"/>\
             </Relationships>"
        )
    };
    let parts = [
        (
            "[Content_Types].xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"{ns}/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
                 </Types>"
            ),
        ),
        ("_rels/.rels", relationship("officeDocument", "xl/workbook.xml")),
        (
            "xl/workbook.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{ns}/spreadsheetml/2006/main\" \
                 xmlns:r=\"{ns}/officeDocument/2006/relationships\"><sheets>\
                 <sheet name=\"{}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
                escape(sheet)
            ),
        ),
        ("xl/_rels/workbook.xml.rels", relationship("worksheet", "worksheets/sheet1.xml")),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{ns}/spreadsheetml/2006/main\">\
                 <sheetData>{data}</sheetData></worksheet>"
            ),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in parts {
        zip.start_file(name, stored).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// A CSV file as rows of cells, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let t = Table::read(path).unwrap();
    std::iter::once(t.headers).chain(t.rows.into_iter().map(|(_, cells)| cells)).collect()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cantiere-xlsx-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn asem_from_workbooks_builds_the_same_index_as_from_csv() {
    let input = common::reference().join("input");
    let dir = temp_dir("asem");
    write_xlsx(&dir.join("iData.xlsx"), "iData", &csv_rows(&input.join("ASEM_iData.csv")));
    write_xlsx(&dir.join("iMeta.xlsx"), "iMeta", &csv_rows(&input.join("ASEM_iMeta.csv")));

    let (u_csv, fw_csv, raw_csv) = common::asem();
    let (u_xl, fw_xl, raw_xl) = read_inputs(&dir.join("iData.xlsx"), &dir.join("iMeta.xlsx")).unwrap();
    assert_eq!((&u_xl.codes, &u_xl.names, &u_xl.groups), (&u_csv.codes, &u_csv.names, &u_csv.groups));
    assert_eq!(u_xl.denominators.len(), u_csv.denominators.len());
    for ((name_xl, xl), (name_csv, csv)) in u_xl.denominators.iter().zip(&u_csv.denominators) {
        assert_eq!(name_xl, name_csv);
        assert!(xl.iter().zip(csv).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())));
    }
    assert_eq!(fw_xl.indicator_codes(), fw_csv.indicator_codes());
    assert_eq!(raw_xl.codes, raw_csv.codes);
    let mut compared = 0;
    for (a, b) in raw_xl.columns.iter().zip(&raw_csv.columns) {
        for (x, y) in a.iter().zip(b.iter()) {
            // Same bits, or both missing.
            assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{x} vs {y}");
            compared += 1;
        }
    }
    assert_eq!(compared, 51 * 49);

    // The whole ASEM pipeline on the workbook inputs reproduces COINr's results.
    let pipeline = Pipeline::from_file(&common::repo().join("examples/asem/pipeline.toml")).unwrap();
    let build = pipeline.run(&u_xl, &fw_xl, &raw_xl).unwrap();
    let aggregated = build.data_sets.last().unwrap();
    let n = common::assert_matches(aggregated, &common::reference().join("steps/Aggregated.csv"));
    assert!(n > 51 * 49, "compared {n} values");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn errors_in_a_workbook_name_the_file_sheet_row_and_column() {
    let dir = temp_dir("errors");
    let meta = dir.join("iMeta.xlsx");
    let rows = |r: &[&[&str]]| -> Vec<Vec<String>> {
        r.iter().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
    };
    write_xlsx(
        &meta,
        "Meta",
        &rows(&[
            &["iCode", "Level", "Parent", "Direction", "Weight", "Type"],
            &["a", "1", "Index", "1", "1", "Indicator"],
            &["b", "1", "Index", "1", "1", "Indicator"],
            &["Index", "2", "", "1", "1", "Aggregate"],
        ]),
    );
    let data = dir.join("iData.xlsx");
    write_xlsx(
        &data,
        "Dati",
        &rows(&[&["uCode", "uName", "a", "b"], &["X", "Ics", "1", "2"], &["Y", "Ipsilon", "3", "n.d."]]),
    );
    let err = read_inputs(&data, &meta).unwrap_err().to_string();
    let expected = format!("{}[Dati]:3: column `b`", data.display());
    assert!(err.contains(&expected), "{err}\nexpected it to contain {expected}");
    assert!(err.contains("n.d."), "{err}");

    // A hierarchy error in a workbook: a parent that does not exist.
    write_xlsx(
        &meta,
        "Meta",
        &rows(&[
            &["iCode", "Level", "Parent", "Direction", "Weight", "Type"],
            &["a", "1", "Index", "1", "1", "Indicator"],
            &["b", "1", "Pillar", "1", "1", "Indicator"],
            &["Index", "2", "", "1", "1", "Aggregate"],
        ]),
    );
    let err = read_inputs(&data, &meta).unwrap_err().to_string();
    let expected = format!("{}[Meta]:3: column `Parent`", meta.display());
    assert!(err.contains(&expected), "{err}\nexpected it to contain {expected}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn column_names_follow_the_spreadsheet_convention() {
    let names: Vec<String> = [0, 25, 26, 51, 52, 701, 702].into_iter().map(cantiere_index::xlsx::column_name).collect();
    assert_eq!(names, ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]);
}
