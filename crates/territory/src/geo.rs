//! Boundaries: WKB polygons, their area on the WGS84 ellipsoid, and their
//! simplification for web maps.
//!
//! Areas are computed on the authalic sphere (the sphere with the
//! ellipsoid's area, latitudes mapped to authalic latitudes, an equal-area
//! mapping), with the spherical trapezoid formula per edge; for
//! municipalities (edges of metres) this is within 0.1 % of the geodesic
//! area. Simplification is Douglas–Peucker per ring: neighbours' shared
//! borders are simplified independently, so small slivers can open between
//! them at high zoom; at the zoom of a regional or national map they are
//! below a pixel.

use std::fmt::Write as _;

/// A ring: closed list of (longitude, latitude) in degrees.
pub type Ring = Vec<[f64; 2]>;
/// A polygon: outer ring, then holes.
pub type Polygon = Vec<Ring>;

/// A (multi)polygon geometry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shape {
    /// Its polygons.
    pub polygons: Vec<Polygon>,
}

/// WGS84 semi-major axis (m) and flattening.
const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;

impl Shape {
    /// Reads a WKB Polygon or MultiPolygon (either byte order).
    pub fn from_wkb(bytes: &[u8]) -> Result<Shape, String> {
        let mut r = Wkb { bytes, pos: 0, little: true };
        let kind = r.header()?;
        let polygons = match kind {
            3 => vec![r.polygon()?],
            6 => {
                let n = r.u32()?;
                let mut polygons = Vec::with_capacity(n.min(1 << 16) as usize);
                for _ in 0..n {
                    if r.header()? != 3 {
                        return Err("a MultiPolygon member is not a Polygon".into());
                    }
                    polygons.push(r.polygon()?);
                }
                polygons
            }
            k => return Err(format!("expected a WKB Polygon (3) or MultiPolygon (6), found type {k}")),
        };
        if r.pos != bytes.len() {
            return Err(format!("{} bytes after the geometry", bytes.len() - r.pos));
        }
        Ok(Shape { polygons })
    }

    /// Area in km² on the WGS84 ellipsoid (holes subtracted).
    pub fn area_km2(&self) -> f64 {
        let e2 = F * (2.0 - F);
        let e = e2.sqrt();
        let q = |phi: f64| {
            let s = phi.sin();
            (1.0 - e2) * (s / (1.0 - e2 * s * s) - (1.0 / (2.0 * e)) * ((1.0 - e * s) / (1.0 + e * s)).ln())
        };
        let qp = q(std::f64::consts::FRAC_PI_2);
        let r2 = A * A * qp / 2.0; // authalic radius squared
        let ring_area = |ring: &Ring| {
            let mut sum = 0.0;
            for w in ring.windows(2) {
                let (l1, l2) = (w[0][0].to_radians(), w[1][0].to_radians());
                let b1 = (q(w[0][1].to_radians()) / qp).clamp(-1.0, 1.0); // sin of authalic latitude
                let b2 = (q(w[1][1].to_radians()) / qp).clamp(-1.0, 1.0);
                sum += (l2 - l1) * (2.0 + b1 + b2);
            }
            (sum * r2 / 2.0).abs()
        };
        let m2: f64 = self
            .polygons
            .iter()
            .map(|p| {
                let outer = p.first().map(ring_area).unwrap_or(0.0);
                outer - p.iter().skip(1).map(ring_area).sum::<f64>()
            })
            .sum();
        m2 / 1e6
    }

    /// Douglas–Peucker simplification with `tolerance` degrees. Holes that
    /// collapse are dropped; an outer ring that would collapse is kept whole.
    pub fn simplified(&self, tolerance: f64) -> Shape {
        let polygons = self
            .polygons
            .iter()
            .map(|p| {
                let mut out = Vec::with_capacity(p.len());
                for (i, ring) in p.iter().enumerate() {
                    let s = simplify_ring(ring, tolerance);
                    if s.len() >= 4 {
                        out.push(s);
                    } else if i == 0 {
                        out.push(ring.clone());
                    }
                }
                out
            })
            .collect();
        Shape { polygons }
    }

    /// Number of vertices.
    pub fn vertices(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }

    /// The GeoJSON geometry (MultiPolygon), coordinates with `decimals` digits.
    pub fn geojson(&self, decimals: usize) -> String {
        let mut s = String::from(r#"{"type":"MultiPolygon","coordinates":["#);
        for (pi, p) in self.polygons.iter().enumerate() {
            s.push_str(if pi == 0 { "[" } else { ",[" });
            for (ri, ring) in p.iter().enumerate() {
                s.push_str(if ri == 0 { "[" } else { ",[" });
                for (i, [x, y]) in ring.iter().enumerate() {
                    let _ = write!(s, "{}[{x:.decimals$},{y:.decimals$}]", if i == 0 { "" } else { "," });
                }
                s.push(']');
            }
            s.push(']');
        }
        s.push_str("]}");
        s
    }
}

fn simplify_ring(ring: &Ring, tol: f64) -> Ring {
    if ring.len() <= 4 {
        return ring.clone();
    }
    let mut keep = vec![false; ring.len()];
    keep[0] = true;
    let last = ring.len() - 1;
    keep[last] = true;
    // A closed ring: split at the vertex farthest from the first so that
    // both halves are open polylines.
    let far = (1..last).max_by(|&a, &b| dist2(ring[0], ring[a]).total_cmp(&dist2(ring[0], ring[b]))).unwrap_or(1);
    keep[far] = true;
    let mut stack = vec![(0, far), (far, last)];
    while let Some((a, b)) = stack.pop() {
        let mut best = (0.0, 0);
        for i in a + 1..b {
            let d = segment_distance(ring[i], ring[a], ring[b]);
            if d > best.0 {
                best = (d, i);
            }
        }
        if best.0 > tol {
            keep[best.1] = true;
            stack.push((a, best.1));
            stack.push((best.1, b));
        }
    }
    ring.iter().zip(&keep).filter(|(_, k)| **k).map(|(p, _)| *p).collect()
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let len2 = dist2(a, b);
    if len2 == 0.0 {
        return dist2(p, a).sqrt();
    }
    let t = (((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / len2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]).sqrt()
}

struct Wkb<'a> {
    bytes: &'a [u8],
    pos: usize,
    little: bool,
}

impl Wkb<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let end = self.pos + N;
        let b = self.bytes.get(self.pos..end).ok_or_else(|| format!("truncated at byte {}", self.pos))?;
        self.pos = end;
        Ok(b.try_into().expect("slice of N bytes"))
    }

    fn header(&mut self) -> Result<u32, String> {
        self.little = match self.take::<1>()?[0] {
            0 => false,
            1 => true,
            b => return Err(format!("byte order {b} at byte {}: expected 0 or 1", self.pos - 1)),
        };
        self.u32()
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take::<4>()?;
        Ok(if self.little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }

    fn f64(&mut self) -> Result<f64, String> {
        let b = self.take::<8>()?;
        Ok(if self.little { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) })
    }

    fn polygon(&mut self) -> Result<Polygon, String> {
        let rings = self.u32()?;
        let mut polygon = Vec::with_capacity(rings.min(1 << 12) as usize);
        for _ in 0..rings {
            let n = self.u32()? as usize;
            if n.saturating_mul(16) > self.bytes.len() - self.pos {
                return Err(format!("a ring of {n} points is longer than the data"));
            }
            let mut ring = Vec::with_capacity(n);
            for _ in 0..n {
                ring.push([self.f64()?, self.f64()?]);
            }
            polygon.push(ring);
        }
        Ok(polygon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wkb_polygon(rings: &[&[[f64; 2]]]) -> Vec<u8> {
        let mut b = vec![1u8];
        b.extend(3u32.to_le_bytes());
        b.extend((rings.len() as u32).to_le_bytes());
        for r in rings {
            b.extend((r.len() as u32).to_le_bytes());
            for p in *r {
                b.extend(p[0].to_le_bytes());
                b.extend(p[1].to_le_bytes());
            }
        }
        b
    }

    #[test]
    fn a_one_degree_cell_at_the_equator_has_its_closed_form_area() {
        // Closed form of an ellipsoidal band between two meridians Δλ apart:
        // a²(1−e²)Δλ/2 · [sinφ/(1−e²sin²φ) + atanh(e sinφ)/e] from φ1 to φ2
        // (12,308.464 km² for the cell between 0° and 1°).
        let e2 = F * (2.0 - F);
        let g = |phi: f64| {
            let s = phi.sin();
            s / (1.0 - e2 * s * s) + (e2.sqrt() * s).atanh() / e2.sqrt()
        };
        let closed = A * A * (1.0 - e2) * 1f64.to_radians() / 2.0 * (g(1f64.to_radians()) - g(0.0)) / 1e6;
        let cell = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];
        let s = Shape::from_wkb(&wkb_polygon(&[&cell])).unwrap();
        assert!((closed - 12_308.464).abs() < 0.001, "{closed}");
        assert!((s.area_km2() - closed).abs() < 1e-6, "{} vs {closed}", s.area_km2());
        // A hole of a quarter of the cell's width and height.
        let hole = [[0.25, 0.25], [0.5, 0.25], [0.5, 0.5], [0.25, 0.5], [0.25, 0.25]];
        let with_hole = Shape::from_wkb(&wkb_polygon(&[&cell, &hole])).unwrap();
        let h = Shape::from_wkb(&wkb_polygon(&[&hole])).unwrap().area_km2();
        assert!((with_hole.area_km2() - (s.area_km2() - h)).abs() < 1e-9);
    }

    #[test]
    fn bad_wkb_is_an_error() {
        assert!(Shape::from_wkb(&[]).is_err());
        assert!(Shape::from_wkb(&[2, 3, 0, 0, 0]).is_err());
        let mut b = wkb_polygon(&[&[[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]);
        b.truncate(b.len() - 3);
        assert!(Shape::from_wkb(&b).unwrap_err().contains("longer than the data"));
        assert!(Shape::from_wkb(&[1, 3, 0, 0, 0, 1, 0]).unwrap_err().contains("truncated"));
        let mut huge = vec![1u8, 3, 0, 0, 0, 1, 0, 0, 0];
        huge.extend(u32::MAX.to_le_bytes());
        assert!(Shape::from_wkb(&huge).is_err());
    }

    #[test]
    fn simplification_drops_points_within_the_tolerance_only() {
        let ring: Ring = vec![[0.0, 0.0], [0.5, 0.0001], [1.0, 0.0], [1.0, 1.0], [0.5, 1.3], [0.0, 1.0], [0.0, 0.0]];
        let s = Shape { polygons: vec![vec![ring]] }.simplified(0.01);
        assert_eq!(s.polygons[0][0], vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.5, 1.3], [0.0, 1.0], [0.0, 0.0]]);
        assert!(s.geojson(1).starts_with(r#"{"type":"MultiPolygon","coordinates":[[[[0.0,0.0],[1.0,0.0]"#));
    }
}
