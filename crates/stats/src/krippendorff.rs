//! Krippendorff's alpha (nominal, ordinal, interval, ratio) from a coincidence matrix.

use serde::Serialize;

use crate::{Figure, Undefined};

/// Level of measurement, which sets the difference function δ².
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// δ² = 0 if equal, 1 otherwise.
    Nominal,
    /// δ² = (Σ_{g=c..k} n_g − (n_c + n_k)/2)².
    Ordinal,
    /// δ² = (c − k)².
    Interval,
    /// δ² = ((c − k)/(c + k))².
    Ratio,
}

/// Alpha at every level for one set of units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Alphas {
    /// Pairable values (n).
    pub pairable_values: u64,
    /// Units with at least two values.
    pub pairable_units: usize,
    /// Nominal alpha.
    pub nominal: Figure,
    /// Ordinal alpha.
    pub ordinal: Figure,
    /// Interval alpha.
    pub interval: Figure,
    /// Ratio alpha.
    pub ratio: Figure,
}

/// A coincidence matrix over sorted distinct values.
#[derive(Debug, Clone)]
pub struct Coincidences {
    values: Vec<f64>,
    o: Vec<f64>,
    units: usize,
}

impl Coincidences {
    /// An empty matrix over the given values (sorted ascending, distinct).
    pub fn new(values: Vec<f64>) -> Self {
        let v = values.len();
        Self { values, o: vec![0.0; v * v], units: 0 }
    }

    /// Adds a unit given as counts per value (`counts[i]` answers equal to `values[i]`).
    /// Units with fewer than two values are not pairable and are skipped.
    pub fn add_unit_counts(&mut self, counts: &[u64]) {
        let m: u64 = counts.iter().sum();
        if m < 2 {
            return;
        }
        self.units += 1;
        let w = 1.0 / (m - 1) as f64;
        let v = self.values.len();
        let nz: Vec<(usize, f64)> = counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(i, &c)| {
                let cf = c as f64;
                (i, cf)
            })
            .collect();
        for &(c, fc) in &nz {
            for &(k, fk) in &nz {
                let pairs = if c == k { fc * (fc - 1.0) } else { fc * fk };
                self.o[c * v + k] += pairs * w;
            }
        }
    }

    /// Adds a unit given as its values (missing values left out).
    pub fn add_unit(&mut self, unit: &[f64]) {
        let mut counts = vec![0u64; self.values.len()];
        for &x in unit {
            if let Ok(i) = self.values.binary_search_by(|v| v.total_cmp(&x)) {
                counts[i] += 1;
            }
        }
        self.add_unit_counts(&counts);
    }

    /// Alpha at one level.
    pub fn alpha(&self, level: Level) -> Figure {
        let v = self.values.len();
        let nc: Vec<f64> = (0..v).map(|c| self.o[c * v..(c + 1) * v].iter().sum()).collect();
        let n: f64 = nc.iter().sum();
        if n < 2.0 {
            return Figure::undefined(Undefined::NoAnswers);
        }
        // cumulative n for the ordinal metric
        let mut cum = vec![0.0; v + 1];
        for c in 0..v {
            cum[c + 1] = cum[c] + nc[c];
        }
        let delta = |c: usize, k: usize| -> f64 {
            if c == k {
                return 0.0;
            }
            let (a, b) = (self.values[c], self.values[k]);
            match level {
                Level::Nominal => 1.0,
                Level::Interval => (a - b).powi(2),
                Level::Ratio => {
                    if a + b == 0.0 {
                        0.0
                    } else {
                        ((a - b) / (a + b)).powi(2)
                    }
                }
                Level::Ordinal => {
                    let (lo, hi) = if c < k { (c, k) } else { (k, c) };
                    (cum[hi + 1] - cum[lo] - (nc[lo] + nc[hi]) / 2.0).powi(2)
                }
            }
        };
        let (mut d_o, mut d_e) = (0.0, 0.0);
        for c in 0..v {
            for k in 0..v {
                let d = delta(c, k);
                d_o += self.o[c * v + k] * d;
                d_e += nc[c] * nc[k] * d;
            }
        }
        if d_e == 0.0 {
            return Figure::undefined(Undefined::NoVariation);
        }
        Figure::new(1.0 - (n - 1.0) * d_o / d_e)
    }

    /// Alpha at all four levels.
    pub fn alphas(&self) -> Alphas {
        let v = self.values.len();
        let n: f64 = self.o.iter().sum();
        let pairable_values = n.round() as u64;
        let _ = v;
        Alphas {
            pairable_values,
            pairable_units: self.units,
            nominal: self.alpha(Level::Nominal),
            ordinal: self.alpha(Level::Ordinal),
            interval: self.alpha(Level::Interval),
            ratio: self.alpha(Level::Ratio),
        }
    }
}

/// Krippendorff's alpha of units given as lists of values (missing values left out).
pub fn krippendorff_alpha(units: &[Vec<f64>], level: Level) -> Figure {
    let mut values: Vec<f64> = units.iter().filter(|u| u.len() >= 2).flatten().copied().collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let mut c = Coincidences::new(values);
    for u in units {
        c.add_unit(u);
    }
    c.alpha(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reference/statistics.md lines 61–64: reliability data "C", columns = units.
    fn data_c() -> Vec<Vec<f64>> {
        let rows: [[Option<f64>; 12]; 4] = {
            let p = |s: &str| -> [Option<f64>; 12] {
                let v: Vec<Option<f64>> = s.split_whitespace().map(|t| t.parse().ok()).collect();
                v.try_into().unwrap()
            };
            [
                p("1 2 3 3 2 1 4 1 2 . . ."),
                p("1 2 3 3 2 2 4 1 2 5 . ."),
                p(". 3 3 3 2 3 4 2 2 5 1 3"),
                p("1 2 3 3 2 4 4 1 2 5 1 ."),
            ]
        };
        (0..12).map(|u| rows.iter().filter_map(|r| r[u]).collect()).collect()
    }

    /// reference/statistics.md line 66: nominal 0.7434, ordinal 0.8154, interval 0.8491, ratio 0.7974.
    #[test]
    fn golden_data_c_line_66() {
        let d = data_c();
        for (level, want) in
            [(Level::Nominal, 0.7434), (Level::Ordinal, 0.8154), (Level::Interval, 0.8491), (Level::Ratio, 0.7974)]
        {
            let a = krippendorff_alpha(&d, level).value().unwrap();
            assert!((a - want).abs() < 1e-4, "{level:?}: {a} vs {want}");
        }
    }

    #[test]
    fn edge_cases() {
        // no units / only single values: nothing pairable
        assert_eq!(krippendorff_alpha(&[], Level::Interval).reason(), Some(Undefined::NoAnswers));
        assert_eq!(krippendorff_alpha(&[vec![1.0], vec![2.0]], Level::Nominal).reason(), Some(Undefined::NoAnswers));
        // all values equal: no expected disagreement
        assert_eq!(
            krippendorff_alpha(&[vec![3.0, 3.0], vec![3.0, 3.0]], Level::Ordinal).reason(),
            Some(Undefined::NoVariation)
        );
        // perfect agreement with variation between units: alpha = 1
        let a = krippendorff_alpha(&[vec![1.0, 1.0], vec![2.0, 2.0, 2.0]], Level::Interval).value().unwrap();
        assert!((a - 1.0).abs() < 1e-12);
    }
}
