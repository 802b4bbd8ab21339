//! How much memory a job may plan for: most of what the machine has free.

/// The bytes a job may keep: 80 % of the memory available now (Linux's
/// `MemAvailable`), or 8 GiB where that cannot be read.
pub fn budget() -> u64 {
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        kib.checked_mul(1024)
    });
    available.map_or(8 << 30, |b| b / 5 * 4)
}
