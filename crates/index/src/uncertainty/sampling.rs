//! Sampling: the random generator, the Saltelli design, quasi-random points,
//! and the mapping of a uniform sample to an input's alternatives.

/// A small, fast, seedable generator (xoshiro256++, seeded through
/// SplitMix64). The same seed gives the same sequence on every platform and
/// whatever the thread count: every random number of an analysis is drawn in
/// one thread, before or after the parallel runs.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng { s: [next(), next(), next(), next()] }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// A uniform number in [0, 1), with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform index in `0..n` (`n > 0`).
    pub fn index(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n - 1)
    }
}

/// How the points of the design are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sampling {
    /// Pseudo-random uniform points (COINr's `runif`).
    #[default]
    Random,
    /// Owen-scrambled Sobol' low-discrepancy points (better coverage for the
    /// same number of runs; the scramble is seeded).
    Sobol,
}

/// A matrix of `rows` × `cols` points in [0, 1), row-major: row `r` is
/// point `r`, column `c` its coordinate `c`.
pub fn unit_points(rows: usize, cols: usize, sampling: Sampling, seed: u64) -> Vec<Vec<f64>> {
    match sampling {
        Sampling::Random => {
            let mut rng = Rng::new(seed);
            // Filled column by column, as R fills a matrix from runif.
            let mut m = vec![vec![0.0; cols]; rows];
            for c in 0..cols {
                for row in m.iter_mut() {
                    row[c] = rng.uniform();
                }
            }
            m
        }
        Sampling::Sobol => {
            let scramble = (seed ^ (seed >> 32)) as u32;
            (0..rows)
                .map(|r| (0..cols).map(|c| f64::from(sobol_burley::sample(r as u32, c as u32, scramble))).collect())
                .collect()
        }
    }
}

/// The most dimensions quasi-random sampling supports (the design of a
/// sensitivity analysis needs two per input).
pub const SOBOL_MAX_DIMENSIONS: usize = sobol_burley::NUM_DIMENSIONS as usize;

/// The Saltelli design from two base matrices `a` and `b` (N rows, d columns
/// each): the rows of `a`, then of `b`, then for each input `i` the rows of
/// `a` with column `i` taken from `b`. N(d + 2) rows in all, as COINr's
/// `SA_sample`.
pub fn saltelli_design(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = a.first().map_or(0, Vec::len);
    let mut out = Vec::with_capacity(a.len() * (d + 2));
    out.extend(a.iter().cloned());
    out.extend(b.iter().cloned());
    for i in 0..d {
        for (ra, rb) in a.iter().zip(b) {
            let mut row = ra.clone();
            row[i] = rb[i];
            out.push(row);
        }
    }
    out
}

/// Maps uniform numbers to one of `n` alternatives (0-based) as COINr does
/// (R's `cut(x, n)`): the range of the sample itself, `min(x)` to `max(x)`,
/// is split into `n` equal bins, closed on the right, with the outer limits
/// moved out by 0.1 % of the range. Missing values stay `None`.
pub fn cut(x: &[f64], n: usize) -> Vec<Option<usize>> {
    let present = x.iter().copied().filter(|v| !v.is_nan());
    let (lo, hi) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if n == 0 || lo > hi {
        return vec![None; x.len()];
    }
    if n == 1 {
        return x.iter().map(|v| (!v.is_nan()).then_some(0)).collect();
    }
    // R: seq.int(from, to, length.out = n + 1), i.e. from + k * by.
    let seq = |from: f64, to: f64| -> Vec<f64> {
        let by = (to - from) / n as f64;
        (0..=n).map(|k| from + k as f64 * by).collect()
    };
    let dx = hi - lo;
    let breaks = if dx == 0.0 {
        let dx = if lo != 0.0 { lo.abs() } else { 1.0 };
        seq(lo - dx / 1000.0, hi + dx / 1000.0)
    } else {
        let mut b = seq(lo, hi);
        b[0] = lo - dx / 1000.0;
        b[n] = hi + dx / 1000.0;
        b
    };
    x.iter()
        .map(|&v| {
            if v.is_nan() {
                return None;
            }
            // The bin (breaks[k], breaks[k + 1]] that holds v.
            (0..n).find(|&k| v > breaks[k] && v <= breaks[k + 1])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_uniform_and_reproducible() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<f64> = (0..100_000).map(|_| a.uniform()).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x) && x == b.uniform()));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        // Standard error of the mean of U(0,1) over 1e5 draws: 0.29 / 316 ≈ 0.0009.
        assert!((mean - 0.5).abs() < 0.004, "{mean}");
        let mut c = Rng::new(8);
        assert_ne!(c.uniform(), xs[0]);
    }

    #[test]
    fn sobol_points_fill_the_cube_evenly() {
        let p = unit_points(1024, 3, Sampling::Sobol, 1);
        for c in 0..3 {
            // 1024 points of a (scrambled) Sobol' sequence put exactly 64 in each 1/16 slice.
            let mut bins = [0; 16];
            for row in &p {
                bins[(row[c] * 16.0) as usize] += 1;
            }
            assert!(bins.iter().all(|&b| b == 64), "{bins:?}");
        }
    }
}
