//! Reading iData straight from a CSV file: in blocks of a few MiB, each cut
//! at a record boundary (quotes respected) and parsed in parallel chunks into
//! columns; no cell becomes a `String` but the units' codes, names and
//! groups, and the file is never held whole. The rules are [`Table`]'s
//! (UTF-8 with or without BOM, cells trimmed, blank rows skipped, a row
//! shorter than the header refused, extra cells allowed only when empty, a
//! quoted cell never closed refused) and the result is [`read_data`]'s: a
//! test reads the same files both ways.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::data::{Kind, Parsed, assemble, plan};
use super::*;
use crate::table::unclosed_quote;

/// Bytes read at a time, at most: a file is read in about eight blocks of
/// at least [`MIN_BLOCK`], so that a small file is parsed as soon as its
/// first block is in, and holds less memory in blocks.
const BLOCK: usize = 8 << 20;
/// Bytes read at a time, at least.
const MIN_BLOCK: usize = 1 << 20;
/// The longest record (line) accepted: a longer one is refused before it is
/// held whole.
pub const MAX_RECORD: usize = 64 << 20;
/// The most columns a table may have.
pub const MAX_COLUMNS: usize = 100_000;

/// Reads an iData CSV file against a validated framework, as [`read_data`]
/// reads its [`Table`], in parallel.
pub fn read_data_csv(path: &Path, fw: &Framework) -> Result<(Units, DataSet)> {
    let file = path.display().to_string();
    let mut source = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    let block = usize::try_from(size / 8).unwrap_or(BLOCK).clamp(MIN_BLOCK, BLOCK);
    let mut reader = Blocks { source: &mut source, path, pending: Vec::new(), eof: false, line: 1, block };
    let (header_end, header) = reader.header(&file)?;
    let kinds = plan(&file, &header, fw)?;
    // The next block is read while this one is parsed.
    let parsed = std::thread::scope(|scope| -> Result<Parsed> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<(Vec<u8>, u64)>>(1);
        let file_name = &file;
        scope.spawn(move || {
            let mut start = header_end;
            loop {
                let next = reader.next_block(start, file_name);
                start = 0;
                let done = !matches!(next, Ok(Some(_)));
                let sent = match next {
                    Ok(Some(block)) => send.send(Ok(block)),
                    Ok(None) => break,
                    Err(e) => send.send(Err(e)),
                };
                if done || sent.is_err() {
                    break;
                }
            }
        });
        let mut parsed = Parsed::new(&kinds);
        let mut first = true;
        for block in receive {
            let (block, first_line) = block?;
            if first && !block.is_empty() {
                // Room for every row, guessed from the first block's lines,
                // so that the columns are not copied as they grow.
                let rows = newlines(&block).max(1) as usize;
                parsed.reserve((size as usize / block.len()).saturating_add(1).saturating_mul(rows) + 16);
                first = false;
            }
            parsed.append_all(parse_block(&file, &block, first_line, &kinds)?);
        }
        Ok(parsed)
    })?;
    assemble(&file, &header, parsed, fw)
}

/// The file read in blocks that end at record boundaries.
struct Blocks<'a> {
    source: &'a mut std::fs::File,
    path: &'a Path,
    pending: Vec<u8>,
    eof: bool,
    /// The line of `pending[0]`.
    line: u64,
    /// Bytes read at a time.
    block: usize,
}

impl Blocks<'_> {
    /// Reads up to `block` more bytes; false at the end of the file.
    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let before = self.pending.len();
        self.pending.resize(before + self.block, 0);
        let mut got = 0;
        while got < self.block {
            let n = self.source.read(&mut self.pending[before + got..]).map_err(|e| Error::read(self.path, e))?;
            if n == 0 {
                self.eof = true;
                break;
            }
            got += n;
        }
        self.pending.truncate(before + got);
        Ok(got > 0)
    }

    /// Reads until `pending` holds a whole record from `from` (or the file
    /// ends); the end of the last whole record.
    fn records_end(&mut self, from: usize, file: &str) -> Result<Option<usize>> {
        loop {
            if let Some(end) = last_boundary(&self.pending[from..]) {
                return Ok(Some(from + end));
            }
            if self.pending.len() - from > MAX_RECORD {
                return Err(Error::input(
                    Location::file(file).line(self.line),
                    format!("a record longer than {} MiB: not a table this reader takes", MAX_RECORD >> 20),
                ));
            }
            if !self.fill()? {
                return Ok((self.pending.len() > from).then_some(self.pending.len()));
            }
        }
    }

    /// The header (line 1, a BOM skipped): where it ends and its names.
    fn header(&mut self, file: &str) -> Result<(usize, Vec<String>)> {
        self.fill()?;
        let bom = if self.pending.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let end = self.records_end(bom, file)?.filter(|&e| e > bom);
        let Some(end) = end.and_then(|e| first_boundary(&self.pending[bom..e]).map(|f| bom + f)) else {
            return Err(Error::input(Location::file(file), "the file is empty: expected a header row"));
        };
        let text = utf8(&self.pending[bom..end], file, 1)?;
        let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let read = csv.read_record(&mut record).map_err(|e| malformed(file, 1, &e))?;
        let headers: Vec<String> = if read { record.iter().map(|c| c.trim().to_string()).collect() } else { vec![] };
        if headers.is_empty() || headers.iter().all(String::is_empty) {
            return Err(Error::input(Location::file(file), "the file is empty: expected a header row"));
        }
        check_header(file, &headers)?;
        self.line += newlines(&self.pending[..end]);
        Ok((end, headers))
    }

    /// The next block of whole records from `from` and the line it starts on.
    fn next_block(&mut self, from: usize, file: &str) -> Result<Option<(Vec<u8>, u64)>> {
        if self.pending.len() <= from && !self.fill()? {
            return Ok(None);
        }
        let Some(end) = self.records_end(from, file)? else { return Ok(None) };
        let rest = self.pending.split_off(end);
        let mut block = std::mem::replace(&mut self.pending, rest);
        block.drain(..from);
        let line = self.line;
        self.line += newlines(&block);
        Ok(Some((block, line)))
    }
}

/// A header with more columns than [`MAX_COLUMNS`], or a name twice, is refused.
pub(crate) fn check_header(file: &str, headers: &[String]) -> Result<()> {
    if headers.len() > MAX_COLUMNS {
        return Err(Error::input(
            Location::file(file).line(1),
            format!("the header has {} columns: at most {MAX_COLUMNS}", headers.len()),
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(headers.len());
    for h in headers {
        if !seen.insert(h.as_str()) {
            return Err(Error::input(
                Location::file(file).line(1).column(h),
                "the column name appears twice in the header",
            ));
        }
    }
    Ok(())
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

fn utf8<'b>(bytes: &'b [u8], file: &str, first_line: u64) -> Result<&'b str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = first_line + newlines(&bytes[..e.valid_up_to()]);
        Error::input(Location::file(file).line(line), "the file is not valid UTF-8 text")
    })
}

fn malformed(file: &str, line: u64, e: &csv::Error) -> Error {
    Error::input(Location::file(file).line(line), format!("malformed CSV: {e}"))
}

/// Whether bytes need the full CSV reader: a quote, or a carriage return
/// that does not end a line.
fn needs_csv_reader(bytes: &[u8]) -> bool {
    memchr::memchr(b'"', bytes).is_some()
        || memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1).is_some_and(|&b| b != b'\n'))
}

/// The end (after its line break) of the last whole record in `bytes`, which
/// start at a record boundary; `None` when there is none.
fn last_boundary(bytes: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', bytes).is_none() {
        return memchr::memrchr(b'\n', bytes).map(|i| i + 1);
    }
    boundaries(bytes).last()
}

/// The end of the first whole record in `bytes`.
fn first_boundary(bytes: &[u8]) -> Option<usize> {
    boundaries(bytes).next().or(Some(bytes.len()).filter(|&n| n > 0))
}

/// The ends of the records of `bytes` (after each line break outside quotes).
fn boundaries(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let (mut quoted, mut at_start) = (false, true);
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            i += 1;
            if quoted {
                if b == b'"' {
                    if bytes.get(i) == Some(&b'"') {
                        i += 1;
                    } else {
                        quoted = false;
                    }
                }
                continue;
            }
            if at_start && b == b'"' {
                quoted = true;
            }
            at_start = matches!(b, b',' | b'\n' | b'\r');
            if b == b'\n' {
                return Some(i);
            }
        }
        None
    })
}

/// Parses a block of whole records starting on `first_line`: its rows, in
/// pieces.
fn parse_block(file: &str, block: &[u8], first_line: u64, kinds: &[Kind]) -> Result<Vec<Parsed>> {
    if needs_csv_reader(block) {
        let text = utf8(block, file, first_line)?;
        return Ok(vec![parse_with_csv(file, text, first_line, kinds)?]);
    }
    // Chunks cut at line breaks, parsed side by side, appended in order.
    let parts = (rayon::current_num_threads() * 4).max(1);
    let mut cuts = vec![0];
    for p in 1..parts {
        let target = (block.len() * p / parts).max(*cuts.last().unwrap_or(&0));
        let cut = memchr::memchr(b'\n', &block[target..]).map_or(block.len(), |i| target + i + 1);
        cuts.push(cut);
    }
    cuts.push(block.len());
    cuts.dedup();
    let chunks: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let lines: Vec<u64> = chunks.par_iter().map(|&(a, b)| newlines(&block[a..b])).collect();
    let mut starts = Vec::with_capacity(chunks.len());
    let mut line = first_line;
    for n in &lines {
        starts.push(line);
        line += n;
    }
    // Each chunk checked as UTF-8 where it is parsed (a cut after a line
    // break is a character boundary); the first error in file order wins.
    let parsed: Vec<Result<Parsed>> = chunks
        .par_iter()
        .zip(&starts)
        .zip(&lines)
        .map(|((&(a, b), &line), &rows)| parse_plain(file, utf8(&block[a..b], file, line)?, line, rows as usize, kinds))
        .collect();
    parsed.into_iter().collect()
}

/// Rows of plain text: no quotes, lines ending in `\n` or `\r\n`.
fn parse_plain(file: &str, text: &str, first_line: u64, rows: usize, kinds: &[Kind]) -> Result<Parsed> {
    let mut out = Parsed::new(kinds);
    out.reserve(rows);
    let width = kinds.len();
    let mut cells: Vec<&str> = Vec::with_capacity(width + 1);
    for (i, line_text) in text.split_terminator('\n').enumerate() {
        let line = first_line + i as u64;
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        cells.clear();
        let mut start = 0;
        for comma in memchr::memchr_iter(b',', line_text.as_bytes()) {
            cells.push(trimmed(&line_text[start..comma]));
            start = comma + 1;
        }
        cells.push(trimmed(&line_text[start..]));
        push_checked(file, &mut out, line, &cells, width)?;
    }
    Ok(out)
}

/// `cell.trim()`, without looking inside a cell that starts and ends with
/// a visible ASCII character (every Unicode space is either ASCII or not
/// ASCII at all).
fn trimmed(cell: &str) -> &str {
    let visible = |b: u8| b > b' ' && b < 0x7f;
    match cell.as_bytes() {
        [first, .., last] if visible(*first) && visible(*last) => cell,
        [only] if visible(*only) => cell,
        _ => cell.trim(),
    }
}

/// Rows read by the full CSV reader (quoted cells, lone carriage returns).
fn parse_with_csv(file: &str, text: &str, first_line: u64, kinds: &[Kind]) -> Result<Parsed> {
    if let Some(line) = unclosed_quote(text, b',') {
        return Err(Error::input(
            Location::file(file).line(first_line + line - 1),
            "malformed CSV: a quoted cell opens here and is never closed",
        ));
    }
    let breaks: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
    let raw = text.as_bytes();
    let line_at = |byte: u64| {
        let mut b = byte as usize;
        while b < raw.len() && (raw[b] == b'\n' || raw[b] == b'\r') {
            b += 1;
        }
        first_line + breaks.partition_point(|&nl| nl < b) as u64
    };
    let mut out = Parsed::new(kinds);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(raw);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(first_line, |p| line_at(p.byte()));
                let cells: Vec<&str> = record.iter().map(str::trim).collect();
                push_checked(file, &mut out, line, &cells, kinds.len())?;
            }
            Err(e) => {
                let line = e.position().map_or(first_line, |p| line_at(p.byte()));
                return Err(malformed(file, line, &e));
            }
        }
    }
    Ok(out)
}

/// Adds a row after [`Table`]'s checks: blank rows skipped, a short row or
/// one with non-empty extra cells refused.
fn push_checked(file: &str, out: &mut Parsed, line: u64, cells: &[&str], width: usize) -> Result<()> {
    if cells.iter().all(|c| c.is_empty()) {
        return Ok(());
    }
    if cells.len() < width || cells[width..].iter().any(|c| !c.is_empty()) {
        return Err(Error::input(
            Location::file(file).line(line),
            format!("the row has {} cells but the header has {width} columns", cells.len()),
        ));
    }
    out.push_row(line, cells[..width].iter().copied());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = Result<(Units, DataSet)>;

    fn both(meta: &str, data: &str) -> (Read, Read) {
        let fw = Framework::from_table(&Table::from_csv("iMeta.csv", meta.as_bytes()).unwrap()).unwrap();
        let dir = std::env::temp_dir().join(format!("cantiere-stream-{}-{}", std::process::id(), data.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("iData.csv");
        std::fs::write(&path, data).unwrap();
        let table = Table::from_csv(&path.display().to_string(), data.as_bytes()).and_then(|t| read_data(&t, &fw));
        (table, read_data_csv(&path, &fw))
    }

    const META: &str = "iCode,Level,Parent,Direction,Weight,Type\na,1,I,1,1,Indicator\nb,1,I,1,1,Indicator\n\
                        I,2,,1,1,Aggregate\nregion,,,,,Group\n";

    fn same(data: &str) {
        let (t, s) = both(META, data);
        match (t, s) {
            (Ok((tu, td)), Ok((su, sd))) => {
                assert_eq!((&tu.codes, &tu.names, &tu.groups), (&su.codes, &su.names, &su.groups), "{data:?}");
                for (a, b) in td.columns.iter().zip(&sd.columns) {
                    assert_eq!(
                        a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                        b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                    );
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{data:?}"),
            (a, b) => panic!("{data:?}: table {:?} vs stream {:?}", a.map(|r| r.0.codes), b.map(|r| r.0.codes)),
        }
    }

    #[test]
    fn the_stream_reads_what_the_table_reads() {
        same("uCode,uName,region,a,b\nY,Why,G1,1,2\nX,Ics,G2,3,NA\n");
        same("\u{feff}uCode,a,b\r\nX,1,2\r\n\r\nY, 4 ,5\r\n");
        same("uCode,uName,a,b\n\"Z, the last\",\"a \"\"quoted\"\" name\",1,2\nA,\"two\nlines\",3,4\n");
        same("uCode,a,b\nX,1,2,,\n");
        same("uCode,a,b\nX,1\n");
        same("uCode,a,b\nX,1,2,3\n");
        same("uCode,a,b\nX,1,n/d\nY,inf,2\n");
        same("uCode,a,b\nX,1,2\nX,3,4\n");
        same("uCode,a,b\n,1,2\n");
        same("uCode,a,b\n");
        same("uCode,a,b,c\nX,1,2,3\n");
        same("uCode,a,b\nX,\"1,2\n");
        same("uCode,a,a\nX,1,2\n");
        same("uCode,a,b\nx,1,2\nX,3,4\nb,5,6\nB,7,8\n");
    }

    #[test]
    fn blocks_are_cut_at_records_and_lines_are_counted_across_them() {
        // More than one block, a bad cell on the last line.
        let mut data = String::from("uCode,region,a,b\n");
        let rows = BLOCK / 20 + 1_000;
        for u in 0..rows {
            data.push_str(&format!("U{u:07},G{},{}.5,{}\n", u % 3, u, u * 2));
        }
        data.push_str("LAST,G1,1,oops\n");
        assert!(data.len() > BLOCK);
        let (t, s) = both(META, &data);
        let (t, s) = (t.unwrap_err().to_string(), s.unwrap_err().to_string());
        assert_eq!(t, s);
        assert!(s.contains(&format!(":{}: column `b`: expected a number, found `oops`", rows + 2)), "{s}");
    }

    #[test]
    fn a_huge_record_is_refused_before_it_is_held() {
        assert_eq!(last_boundary(b"a,b\nc,\"d\ne\"\nf"), Some(12));
        assert_eq!(last_boundary(b"a,\"b\nc"), None);
        let e = check_header("x.csv", &vec!["c".to_string(); MAX_COLUMNS + 1]).unwrap_err();
        assert!(e.to_string().contains("at most 100000"), "{e}");
    }
}
