//! What an analysis may ask for, checked before any run: bounded counts, and
//! an estimate of the memory the runs keep against the budget of
//! [`Settings::max_bytes`], so that `--runs 1e12` or `--bootstrap 1e12` is a
//! clear error in a millisecond instead of a machine out of memory.
//!
//! The estimate counts what grows with the runs: each run's point in the unit
//! hypercube (`d` numbers), the target's scores and ranks for every unit
//! (two numbers per unit), the rank of every `--unit` followed, and the
//! bootstrap's resampled estimates (two per input and resample, per target).

use super::Settings;
use crate::error::{Error, Result};

/// The most base runs an analysis accepts.
pub const MAX_RUNS: usize = 10_000_000;
/// The most bootstrap resamples.
pub const MAX_BOOTSTRAP: usize = 100_000;

/// The runs an analysis makes: N, or N(d + 2) with sensitivity; `None` on overflow.
pub fn total_runs(settings: &Settings, inputs: usize) -> Option<usize> {
    if settings.sensitivity { settings.runs.checked_mul(inputs.checked_add(2)?) } else { Some(settings.runs) }
}

/// Bytes the runs keep for `units` units and `inputs` inputs (an estimate,
/// `u64::MAX` on overflow).
pub fn estimate_bytes(settings: &Settings, units: usize, inputs: usize) -> u64 {
    let f = || -> Option<u64> {
        let runs = total_runs(settings, inputs)? as u64;
        let per_run = (inputs as u64 + 2 * units as u64 + settings.units.len() as u64).checked_mul(8)?;
        let targets = 1 + settings.units.len() as u64;
        let bootstrap = (settings.bootstrap as u64).checked_mul(inputs as u64 * 2 * 8 * targets)?;
        runs.checked_mul(per_run)?.checked_add(bootstrap)
    };
    f().unwrap_or(u64::MAX)
}

/// Refuses settings beyond the bounds or the memory budget.
pub fn check(settings: &Settings, units: usize, inputs: usize) -> Result<()> {
    let err = |m: String| Err(Error::step("uncertainty", m));
    if settings.runs > MAX_RUNS {
        return err(format!("expected at most {MAX_RUNS} runs, found {}", settings.runs));
    }
    if settings.bootstrap > MAX_BOOTSTRAP {
        return err(format!("expected at most {MAX_BOOTSTRAP} bootstrap resamples, found {}", settings.bootstrap));
    }
    let needed = estimate_bytes(settings, units, inputs);
    if needed > settings.max_bytes {
        let gib = |b: u64| b as f64 / f64::from(1u32 << 30);
        return err(format!(
            "{} runs over {units} units would keep about {:.1} GiB, more than the {:.1} GiB allowed: \
             use fewer runs or bootstrap resamples",
            total_runs(settings, inputs).map_or_else(|| "too many".to_string(), |r| r.to_string()),
            gib(needed),
            gib(settings.max_bytes)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_what_the_runs_keep() {
        // 1,000 runs, 10 units, 3 inputs, no unit followed, 100 resamples:
        // 1,000 × (3 + 20) × 8 + 100 × 3 × 2 × 8 = 184,000 + 4,800.
        let s = Settings { runs: 1_000, ..Settings::default() };
        assert_eq!(estimate_bytes(&s, 10, 3), 188_800);
        // With sensitivity, N(d + 2) = 5,000 runs.
        let s = Settings { sensitivity: true, ..s };
        assert_eq!(estimate_bytes(&s, 10, 3), 5_000 * 23 * 8 + 4_800);
    }

    #[test]
    fn absurd_counts_are_refused_before_any_run() {
        let huge = Settings { runs: 1_000_000_000_000, ..Settings::default() };
        let e = check(&huge, 51, 4).unwrap_err().to_string();
        assert!(e.contains("at most 10000000 runs"), "{e}");
        let e = check(&Settings { bootstrap: 1_000_000_000_000, ..Settings::default() }, 51, 4).unwrap_err();
        assert!(e.to_string().contains("at most 100000 bootstrap"), "{e}");
        // Within the counts but not the memory: 10 million runs × 100,000 units.
        let e = check(&Settings { runs: MAX_RUNS, ..Settings::default() }, 100_000, 4).unwrap_err().to_string();
        assert!(e.contains("GiB") && e.contains("fewer runs"), "{e}");
        assert!(check(&Settings::default(), 51, 4).is_ok());
    }
}
