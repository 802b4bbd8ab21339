//! Small text helpers: Windows-1252 decoding, name keys for matching, and
//! calendar dates.

/// Code points of Windows-1252 bytes 0x80–0x9F (`None`: unassigned). Every
/// other byte is the Unicode code point of the same value.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20AC}'),
    None,
    Some('\u{201A}'),
    Some('\u{0192}'),
    Some('\u{201E}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02C6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017D}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201C}'),
    Some('\u{201D}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02DC}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203A}'),
    Some('\u{0153}'),
    None,
    Some('\u{017E}'),
    Some('\u{0178}'),
];

/// Decodes Windows-1252 text; `Err` gives the offset of an unassigned byte.
pub fn decode_cp1252(bytes: &[u8]) -> Result<String, usize> {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 16);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            0x80..=0x9F => out.push(CP1252_HIGH[usize::from(b - 0x80)].ok_or(i)?),
            _ => out.push(char::from(b)),
        }
    }
    Ok(out)
}

/// A key to compare municipality names written differently: lower case,
/// accents and apostrophes folded (`Lode'` = `Lodè`), a leading "Comune di"
/// and a "(SOPPRESSO)" mark dropped, hyphens and spaces collapsed.
pub fn name_key(name: &str) -> String {
    let mut s = name.trim().to_lowercase();
    for prefix in ["(soppresso)"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim().to_string();
        }
    }
    if let Some(rest) = s.strip_prefix("comune di ") {
        s = rest.to_string();
    }
    let mut key = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let folded = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            '\'' | '’' | '`' | '´' => continue,
            '-' | ' ' | '/' | '.' | ',' => {
                space = true;
                continue;
            }
            c => c,
        };
        if space && !key.is_empty() {
            key.push(' ');
        }
        space = false;
        key.push(folded);
    }
    key
}

/// A calendar date, as days since 1970-01-01 (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    /// The date of a year, month and day, if it exists.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        // Days from civil (era-based; March is month 0 of the computational year).
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// Reads `YYYY-MM-DD`, optionally followed by a time (`T…` or ` …`),
    /// which is ignored: the sources give dates in UTC.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let day = s.get(..10)?;
        let rest = &s[10..];
        if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
            return None;
        }
        let b = day.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &day[r];
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
        };
        Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp1252_maps_the_euro_sign_and_latin_letters() {
        assert_eq!(decode_cp1252(b"\x80 Agli\xe8 \x92").unwrap(), "€ Agliè ’");
        assert_eq!(decode_cp1252(b"ok \x81"), Err(3));
    }

    #[test]
    fn names_written_differently_share_a_key() {
        assert_eq!(name_key("Comune di Lode'"), name_key("Lodè"));
        assert_eq!(name_key("(SOPPRESSO) Comune di Vighizzolo D'este"), "vighizzolo deste");
        assert_eq!(name_key("Moransengo-Tonengo"), name_key("MORANSENGO - TONENGO"));
        assert_ne!(name_key("Sovizzo"), name_key("Gambugliano"));
    }

    #[test]
    fn dates_round_trip_and_count_days() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::parse("2000-03-01").unwrap().0 - Date::parse("2000-02-28").unwrap().0, 2);
        assert_eq!(Date::parse("2023-08-08T13:03:02.000+0000").unwrap().to_string(), "2023-08-08");
        for days in [-800_000, -1, 0, 59, 19_000, 2_000_000] {
            let (y, m, d) = Date(days).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(days)));
        }
        for bad in ["2023-02-29", "2023-13-01", "2023/01/01", "01-01-2023", "2023-01-01X", ""] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2024-02-29").is_some());
    }
}
