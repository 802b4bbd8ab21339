//! Writing tables fast: numbers in their shortest round-trip form laid out
//! as Rust's `Display` lays them out (never an exponent), straight into a
//! byte buffer, and rows formatted in parallel chunks that are written in
//! order. The bytes are those of [`crate::format_number`] and the `csv`
//! crate's writer (a test compares them on every kind of value).

use std::io::Write;

use rayon::prelude::*;

/// 2^120: from here on, the tie check's 128-bit arithmetic would overflow.
const TWO_TO_120: f64 = 1_329_227_995_784_915_872_903_807_060_280_344_576.0;

/// Appends `x` as [`crate::format_number`] writes it: missing is nothing,
/// infinities are `Inf` and `-Inf`, anything else the shortest decimal that
/// reads back as `x`, without an exponent (`0.00000015`, `10000000000000000`,
/// `3`, `-0`).
pub fn push_number(out: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        return;
    }
    if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"Inf" } else { b"-Inf" });
        return;
    }
    let magnitude = x.abs();
    // Whole numbers below 2^53 are their own shortest form (ranks, counts).
    // (A round trip through an integer: `fract` would call libm's `trunc`.)
    if magnitude < 9_007_199_254_740_992.0 && (x as i64) as f64 == x {
        if x == 0.0 && x.is_sign_negative() {
            out.push(b'-');
        }
        out.extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
        return;
    }
    if magnitude >= TWO_TO_120 {
        // Beyond 128-bit arithmetic for the tie check below: rare, and
        // `Display` itself is exact.
        out.extend_from_slice(format!("{x}").as_bytes());
        return;
    }
    let mut buffer = zmij::Buffer::new();
    if (1e-4..1e15).contains(&magnitude) && !tie_possible(x) {
        // Most numbers (scores, shares, amounts): Żmij writes plain decimals
        // for decimal exponents -5 to 15, and a number that is not whole has
        // no `.0`, so its text is Display's.
        push_short(out, buffer.format_finite(x).as_bytes());
        return;
    }
    let text = buffer.format_finite(x).as_bytes();
    // Most numbers: plain decimals with no tie possible, written as they are.
    // (A plain loop: `contains` would call memchr for a few bytes.)
    if text.iter().all(|&b| b != b'e') && !tie_possible(x) {
        out.extend_from_slice(text.strip_suffix(b".0").unwrap_or(text));
        return;
    }
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // The shortest digits (Żmij, as Rust's own `Display` picks them), as
    // `D.DDDeX`, `DDD.DDD` or `0.000DDD`: the digits and where the decimal
    // point falls among them.
    let (mantissa, exponent) = match text.iter().position(|&b| b == b'e') {
        Some(e) => (&text[..e], parse_exponent(&text[e + 1..])),
        None => (text, 0),
    };
    let mut digits = [0u8; 24];
    let (mut n, mut point) = (0usize, None);
    for &b in mantissa {
        if b == b'.' {
            point = Some(n);
        } else if n == digits.len() {
            out.extend_from_slice(format!("{x}").as_bytes());
            return;
        } else {
            digits[n] = b;
            n += 1;
        }
    }
    let mut point = point.unwrap_or(n) as i64 + exponent;
    // Leading zeros (`0.00015`) move the point; trailing zeros after it go.
    let lead = digits[..n].iter().take_while(|&&d| d == b'0').count();
    let (digits, mut n) = (&digits[lead..], n - lead);
    if n > 17 {
        // Never with shortest digits; kept safe all the same.
        out.extend_from_slice(format!("{x}").as_bytes());
        return;
    }
    point -= lead as i64;
    while n > 0 && digits[n - 1] == b'0' && (n as i64) > point {
        n -= 1;
    }
    let mut shortest = [b'0'; 17];
    shortest[..n].copy_from_slice(&digits[..n]);
    let mut digits = shortest;
    if n > 0 && exact_tie_below(x.abs(), &digits[..n], point) {
        // Rust's `Display` rounds a tie up where Żmij takes the even digit.
        (n, point) = round_up(&mut digits, n, point);
    }
    if negative {
        out.push(b'-');
    }
    if n == 0 {
        out.push(b'0');
        return;
    }
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-point) as usize));
        out.extend_from_slice(&digits[..n]);
    } else if (point as usize) >= n {
        out.extend_from_slice(&digits[..n]);
        out.extend(std::iter::repeat_n(b'0', point as usize - n));
    } else {
        out.extend_from_slice(&digits[..point as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[point as usize..n]);
    }
}

/// Appends `bytes` (a number's text) with fixed-size copies that the
/// compiler writes inline (two overlapping 8- or 16-byte moves), not a call
/// to `memcpy` per number.
#[inline]
pub(crate) fn push_short(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if !(8..=32).contains(&n) {
        out.extend_from_slice(bytes);
        return;
    }
    let start = out.len();
    out.extend_from_slice(&[0u8; 32]);
    let to = &mut out[start..start + 32];
    if n >= 16 {
        to[..16].copy_from_slice(&bytes[..16]);
        to[n - 16..n].copy_from_slice(&bytes[n - 16..]);
    } else {
        to[..8].copy_from_slice(&bytes[..8]);
        to[n - 8..n].copy_from_slice(&bytes[n - 8..]);
    }
    out.truncate(start + n);
}

/// Whether a decimal tie is possible at all: the exact value of `x` must
/// have few significant digits, so `x = m·2^e` with `e ≥ −25` once `m` is
/// odd (a whole number, or few binary fraction digits).
fn tie_possible(x: f64) -> bool {
    let bits = x.to_bits();
    let (exp_bits, frac) = ((bits >> 52 & 0x7ff) as i64, bits & ((1u64 << 52) - 1));
    let (m, e) = if exp_bits == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp_bits - 1075) };
    m != 0 && e + i64::from(m.trailing_zeros()) >= -25
}

/// Whether `x` (positive, finite) lies exactly halfway between the decimal
/// `digits` (with the point after `point` of them) and the next decimal of
/// as many digits: a tie, which needs the exact value of `x` to have one
/// digit more than `digits`, the last a 5. The exact value is `m·2^e`; it is
/// computed in 128 bits where it can have at most 18 significant digits, and
/// otherwise cannot be a tie (`m` has at most 22 factors 5); values from
/// 2^120 up are left to `Display` by the caller.
fn exact_tie_below(x: f64, digits: &[u8], point: i64) -> bool {
    let bits = x.to_bits();
    let (exp_bits, frac) = ((bits >> 52) as i64, bits & ((1u64 << 52) - 1));
    let (mut m, mut e) = if exp_bits == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp_bits - 1075) };
    if m == 0 {
        return false;
    }
    let twos = m.trailing_zeros();
    m >>= twos;
    e += i64::from(twos);
    // The exact value as v·10^q, v without trailing zeros.
    let (mut v, mut q): (u128, i64) = if e >= 0 {
        if e > 120 - 53 {
            return false;
        }
        (u128::from(m) << e, 0)
    } else {
        let k = -e;
        if k > 25 {
            return false;
        }
        (u128::from(m) * 5u128.pow(k as u32), -k)
    };
    while v % 10 == 0 && v > 0 {
        v /= 10;
        q += 1;
    }
    let n = digits.len();
    if v % 10 != 5 || v >= 10u128.pow(18) {
        return false;
    }
    let lower: u128 = digits.iter().fold(0, |acc, d| acc * 10 + u128::from(d - b'0'));
    v / 10 == lower && q + 1 == point - n as i64
}

/// `digits` (the first `n` of them, the point after `point`) plus one unit
/// in the last place; the new count and point (`999` becomes `1` with the
/// point one further).
fn round_up(digits: &mut [u8; 17], n: usize, point: i64) -> (usize, i64) {
    for i in (0..n).rev() {
        if digits[i] == b'9' {
            digits[i] = b'0';
        } else {
            digits[i] += 1;
            let kept = digits[..n].iter().rposition(|&d| d != b'0').map_or(0, |p| p + 1);
            return (kept.max(1), point);
        }
    }
    digits[0] = b'1';
    (1, point + 1)
}

fn parse_exponent(text: &[u8]) -> i64 {
    let (sign, digits) = match text.split_first() {
        Some((b'-', rest)) => (-1, rest),
        Some((b'+', rest)) => (1, rest),
        _ => (1, text),
    };
    sign * digits.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
}

/// Appends a text cell as the `csv` crate writes it: quoted when it holds a
/// comma, a quote or a line break, its quotes doubled.
pub fn push_text(out: &mut Vec<u8>, cell: &str) {
    if cell.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in cell.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(cell.as_bytes());
    }
}

/// Rows formatted in one chunk.
const ROWS_PER_CHUNK: usize = 2_048;

/// Writes `rows` rows, each formatted by `row` into the buffer it is given
/// (without its line end), in parallel chunks written in order: while one
/// batch of chunks is being written, the next is being formatted, and
/// memory holds two batches, never the file. Returns where each row ends,
/// counted from the first row's start.
pub fn write_rows<W: Write + Send>(
    out: &mut W,
    rows: usize,
    row: impl Fn(usize, &mut Vec<u8>) + Sync,
) -> std::io::Result<Vec<u64>> {
    // Room for a chunk as long as the first row times the rows, and some.
    let mut first = Vec::new();
    if rows > 0 {
        row(0, &mut first);
    }
    let per_row = first.len() + first.len() / 4 + 8;
    write_chunks(out, rows, ROWS_PER_CHUNK, |range| {
        let mut chunk = Chunk::with_capacity(range.len(), range.len() * per_row);
        for r in range {
            row(r, &mut chunk.bytes);
            chunk.end_row();
        }
        chunk
    })
}

/// Rows of a table held by column, in chunks: about 256 KiB of values each.
pub(crate) fn column_chunk_rows(width: usize) -> usize {
    (32_768 / width.max(1)).clamp(16, ROWS_PER_CHUNK)
}

/// The values of `range`'s rows, row by row (`columns.len().max(1)` a
/// row), gathered reading every column in sequence; a column shorter than
/// the range reads as missing past its end.
pub(crate) fn gather(columns: &[&[f64]], range: std::ops::Range<usize>) -> Vec<f64> {
    let width = columns.len().max(1);
    let mut block = vec![f64::NAN; range.len() * width];
    for (j, column) in columns.iter().enumerate() {
        let part = column.get(range.start..range.end.min(column.len())).unwrap_or(&[]);
        for (i, &x) in part.iter().enumerate() {
            block[i * width + j] = x;
        }
    }
    block
}

/// Writes `rows` rows of a table held by column (each column `rows` long),
/// as [`write_rows`] does: `row` gets the row's values in `columns` order. Each chunk's values are
/// first gathered row by row into a block small enough for the processor's
/// cache, reading every column in sequence, so that formatting a row does
/// not touch as many distant memory lines as there are columns.
pub fn write_column_rows<W: Write + Send>(
    out: &mut W,
    rows: usize,
    columns: &[&[f64]],
    row: impl Fn(usize, &[f64], &mut Vec<u8>) + Sync,
) -> std::io::Result<Vec<u64>> {
    let width = columns.len().max(1);
    write_chunks(out, rows, column_chunk_rows(width), |range| {
        let block = gather(columns, range.clone());
        let mut chunk = Chunk::with_capacity(range.len(), range.len() * width * 20);
        for (i, r) in range.enumerate() {
            row(r, &block[i * width..i * width + columns.len()], &mut chunk.bytes);
            chunk.end_row();
        }
        chunk
    })
}

/// Formatted rows and where each ends in them.
pub(crate) struct Chunk {
    pub(crate) bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunk {
    pub(crate) fn with_capacity(rows: usize, bytes: usize) -> Chunk {
        Chunk { bytes: Vec::with_capacity(bytes), ends: Vec::with_capacity(rows) }
    }

    /// Ends the row being written with a line break.
    pub(crate) fn end_row(&mut self) {
        self.bytes.push(b'\n');
        self.ends.push(self.bytes.len());
    }
}

/// Writes the chunks of `rows` (`per_chunk` rows each) as `format` makes
/// them, in parallel batches overlapped with the writing, in order; where
/// each row ends, from the first row's start.
pub(crate) fn write_chunks<W: Write + Send>(
    out: &mut W,
    rows: usize,
    per_chunk: usize,
    format: impl Fn(std::ops::Range<usize>) -> Chunk + Sync,
) -> std::io::Result<Vec<u64>> {
    let chunks: Vec<std::ops::Range<usize>> =
        (0..rows).step_by(per_chunk.max(1)).map(|s| s..(s + per_chunk).min(rows)).collect();
    let mut ends = Vec::with_capacity(rows);
    let mut at = 0u64;
    let mut record = |chunk: &Chunk| {
        ends.extend(chunk.ends.iter().map(|&e| at + e as u64));
        at += chunk.bytes.len() as u64;
    };
    let threads = rayon::current_num_threads().max(1);
    if chunks.len() <= 1 || threads == 1 {
        for c in &chunks {
            let chunk = format(c.clone());
            out.write_all(&chunk.bytes)?;
            record(&chunk);
        }
        return Ok(ends);
    }
    // Batches of about ROWS_PER_CHUNK rows per thread.
    let batch = (threads * ROWS_PER_CHUNK).div_ceil(per_chunk.max(1));
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(1);
        let writer = scope.spawn(move || -> std::io::Result<()> {
            for bufs in receive {
                for b in bufs {
                    out.write_all(&b)?;
                }
            }
            Ok(())
        });
        for group in chunks.chunks(batch) {
            let made: Vec<Chunk> = group.par_iter().map(|c| format(c.clone())).collect();
            made.iter().for_each(&mut record);
            if send.send(made.into_iter().map(|c| c.bytes).collect()).is_err() {
                // The writer stopped on an error: it says which.
                break;
            }
        }
        drop(send);
        writer.join().unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")))
    })?;
    Ok(ends)
}

/// Writes a header line: `names` as CSV cells.
pub fn write_header<W: Write>(out: &mut W, names: impl IntoIterator<Item = impl AsRef<str>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    for (i, n) in names.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_text(&mut buf, n.as_ref());
    }
    buf.push(b'\n');
    out.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(x: f64) -> String {
        let mut out = Vec::new();
        push_number(&mut out, x);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            3.0,
            0.1,
            0.3,
            100.0,
            123.456,
            1e15,
            1e16,
            1e17,
            1.5e-7,
            1e-300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            2.0f64.powi(60),
            123_456_789.0,
            0.000_123,
            1e21,
            1e22,
            9.999_999e-5,
            // Around the plain-decimal fast path's bounds.
            1e-4,
            1.000_000_000_000_000_2e-4,
            0.999_999_999_999_999_9e-4,
            -1e-4,
            999_999_999_999_999.9,
            999_999_999_999_999.5,
            1e15 + 0.5,
            -999_999_999_999_999.9,
        ];
        // Every kind of bit pattern (splitmix over the 64 bits), and values
        // like the engine's (scores 0-100, exponentials, ranks).
        let mut state = 7u64;
        for i in 0..200_000 {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let bits = f64::from_bits(z);
            if bits.is_finite() {
                values.push(bits);
            }
            let u = (z >> 11) as f64 / (1u64 << 53) as f64;
            values.extend([100.0 * u, (4.0 * u).exp(), (i % 1000) as f64, -u * 1e-3, u * 1e12]);
            // Values with short binary fractions, where decimal ties happen.
            let m = (z >> 11) as f64;
            values.extend([m / 32.0, m * 1024.0, m / 1024.0, (z >> 20) as f64 / 8.0, m * 2f64.powi(60)]);
        }
        for x in values {
            assert_eq!(text(x), format!("{x}"), "{x:e}");
        }
        assert_eq!(
            (text(f64::NAN), text(f64::INFINITY), text(f64::NEG_INFINITY)),
            ("".into(), "Inf".into(), "-Inf".into())
        );
    }

    #[test]
    fn cells_are_quoted_as_the_csv_crate_quotes_them() {
        for cell in ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", "", " spaced ", "Forlì-Cesena"] {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([cell, "x"]).unwrap();
            let expected = String::from_utf8(w.into_inner().unwrap()).unwrap();
            let mut ours = Vec::new();
            push_text(&mut ours, cell);
            ours.extend_from_slice(b",x\n");
            assert_eq!(String::from_utf8(ours).unwrap(), expected, "{cell:?}");
        }
    }

    #[test]
    fn column_rows_are_the_rows_of_the_columns() {
        let rows = 2 * ROWS_PER_CHUNK + 5;
        let columns: Vec<Vec<f64>> = (0..3).map(|j| (0..rows).map(|r| (r * 10 + j) as f64).collect()).collect();
        let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let mut out = Vec::new();
        write_column_rows(&mut out, rows, &slices, |r, values, buf| {
            buf.extend_from_slice(r.to_string().as_bytes());
            for &x in values {
                buf.push(b',');
                push_number(buf, x);
            }
        })
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), rows);
        for (r, line) in lines.iter().enumerate() {
            assert_eq!(*line, format!("{r},{},{},{}", r * 10, r * 10 + 1, r * 10 + 2));
        }
    }

    #[test]
    fn rows_come_out_in_order_whatever_the_chunks() {
        let rows = 3 * ROWS_PER_CHUNK + 17;
        let mut out = Vec::new();
        write_rows(&mut out, rows, |r, buf| buf.extend_from_slice(r.to_string().as_bytes())).unwrap();
        let text = String::from_utf8(out).unwrap();
        let back: Vec<usize> = text.lines().map(|l| l.parse().unwrap()).collect();
        assert_eq!(back, (0..rows).collect::<Vec<_>>());
    }
}
