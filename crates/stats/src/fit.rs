//! SHELF-style least-squares fits of a distribution to one expert's elicited quantiles,
//! with a small Nelder–Mead minimiser.

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal};

use crate::{Figure, StatsError, Undefined};

/// Result of [`nelder_mead`].
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The best point.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// Whether the simplex shrank below the tolerance before the iteration limit.
    pub converged: bool,
    /// Iterations used.
    pub iterations: usize,
}

/// Minimises `f` from `x0` with the Nelder–Mead simplex (reflection 1, expansion 2,
/// contraction ½, shrink ½), initial steps `step`. Stops when the spread of the objective
/// over the simplex is below `ftol` and the simplex's extent below `xtol`, or after
/// `max_iter` iterations. Non-finite objective values count as +∞.
pub fn nelder_mead(
    f: impl Fn(&[f64]) -> f64,
    x0: &[f64],
    step: &[f64],
    ftol: f64,
    xtol: f64,
    max_iter: usize,
) -> Minimum {
    let d = x0.len();
    let g = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let mut simplex: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..d {
        let mut p = x0.to_vec();
        p[i] += step[i];
        simplex.push(p);
    }
    let mut fx: Vec<f64> = simplex.iter().map(|p| g(p)).collect();
    let mut it = 0;
    let mut converged = false;
    while it < max_iter {
        it += 1;
        let mut idx: Vec<usize> = (0..=d).collect();
        idx.sort_by(|&a, &b| fx[a].total_cmp(&fx[b]));
        simplex = idx.iter().map(|&i| simplex[i].clone()).collect();
        fx = idx.iter().map(|&i| fx[i]).collect();
        let extent =
            simplex[1..].iter().flat_map(|p| p.iter().zip(&simplex[0]).map(|(a, b)| (a - b).abs())).fold(0.0, f64::max);
        if (fx[d] - fx[0]).abs() <= ftol && extent <= xtol {
            converged = true;
            break;
        }
        #[allow(clippy::cast_precision_loss)]
        let centroid: Vec<f64> = (0..d).map(|j| simplex[..d].iter().map(|p| p[j]).sum::<f64>() / d as f64).collect();
        let along = |t: f64| -> Vec<f64> { (0..d).map(|j| centroid[j] + t * (simplex[d][j] - centroid[j])).collect() };
        let xr = along(-1.0);
        let fr = g(&xr);
        if fr < fx[0] {
            let xe = along(-2.0);
            let fe = g(&xe);
            if fe < fr {
                simplex[d] = xe;
                fx[d] = fe;
            } else {
                simplex[d] = xr;
                fx[d] = fr;
            }
        } else if fr < fx[d - 1] {
            simplex[d] = xr;
            fx[d] = fr;
        } else {
            let (xc, fc) = if fr < fx[d] {
                let xc = along(-0.5);
                let fc = g(&xc);
                (xc, fc)
            } else {
                let xc = along(0.5);
                let fc = g(&xc);
                (xc, fc)
            };
            if fc < fx[d].min(fr) {
                simplex[d] = xc;
                fx[d] = fc;
            } else {
                for i in 1..=d {
                    let p: Vec<f64> = (0..d).map(|j| simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j])).collect();
                    fx[i] = g(&p);
                    simplex[i] = p;
                }
            }
        }
    }
    let best = (0..=d).min_by(|&a, &b| fx[a].total_cmp(&fx[b])).unwrap_or(0);
    Minimum { x: simplex[best].clone(), value: fx[best], converged, iterations: it }
}

/// A fitted distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "family")]
pub enum Distribution {
    /// Normal(mean, sd).
    Normal { mean: Figure, sd: Figure },
    /// lower + LogNormal(meanlog, sdlog).
    LogNormal { lower: f64, meanlog: Figure, sdlog: Figure },
    /// lower + (upper − lower) · Beta(alpha, beta).
    Beta { lower: f64, upper: f64, alpha: Figure, beta: Figure },
}

/// A least-squares fit: `min Σ (F(v_i; θ) − p_i)²`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fit {
    /// The fitted distribution (parameters undefined when the optimiser did not converge).
    pub distribution: Distribution,
    /// Sum of squared differences in probability at the optimum.
    pub sse: Figure,
}

fn check(values: &[f64], probs: &[f64]) -> Result<(), StatsError> {
    if values.len() != probs.len() || values.len() < 2 {
        return Err(StatsError::InvalidInput("need at least two (value, probability) pairs of equal length".into()));
    }
    if values.iter().chain(probs).any(|x| !x.is_finite()) || probs.iter().any(|&p| !(0.0 < p && p < 1.0)) {
        return Err(StatsError::InvalidInput(
            "values must be finite and probabilities strictly between 0 and 1".into(),
        ));
    }
    if values.windows(2).any(|w| w[0] >= w[1]) || probs.windows(2).any(|w| w[0] >= w[1]) {
        return Err(StatsError::InvalidInput("values and probabilities must be strictly increasing".into()));
    }
    Ok(())
}

fn z(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Start values (location, log scale) of a location–scale fit from the outer two points.
fn start(v: &[f64], p: &[f64]) -> [f64; 2] {
    let (a, b) = (v[0], v[v.len() - 1]);
    let (za, zb) = (z(p[0]), z(p[p.len() - 1]));
    let s = ((b - a) / (zb - za)).max(1e-12);
    [a - s * za, s.ln()]
}

fn minimise(obj: impl Fn(&[f64]) -> f64, x0: [f64; 2]) -> Minimum {
    let step = [if x0[0] == 0.0 { 0.1 } else { 0.1 * x0[0].abs() }, 0.1];
    let m = nelder_mead(&obj, &x0, &step, 1e-15, 1e-10, 4000);
    // restart once from the optimum to guard against a collapsed simplex
    nelder_mead(&obj, &m.x, &[0.01 * (m.x[0].abs() + 1e-3), 0.01], 1e-15, 1e-10, 4000)
}

fn sse(cdf: impl Fn(f64) -> Option<f64>, v: &[f64], p: &[f64]) -> f64 {
    v.iter().zip(p).map(|(&x, &pi)| cdf(x).map_or(f64::INFINITY, |c| (c - pi).powi(2))).sum()
}

fn result(m: &Minimum, make: impl Fn(Figure, Figure) -> Distribution) -> Fit {
    if m.converged {
        Fit { distribution: make(Figure::new(m.x[0]), Figure::new(m.x[1].exp())), sse: Figure::new(m.value) }
    } else {
        let u = Figure::undefined(Undefined::DidNotConverge);
        Fit { distribution: make(u, u), sse: u }
    }
}

/// Least-squares normal fit.
pub fn fit_normal(values: &[f64], probs: &[f64]) -> Result<Fit, StatsError> {
    check(values, probs)?;
    let obj = |t: &[f64]| sse(|x| Normal::new(t[0], t[1].exp()).ok().map(|d| d.cdf(x)), values, probs);
    let m = minimise(obj, start(values, probs));
    Ok(result(&m, |mean, sd| Distribution::Normal { mean, sd }))
}

/// Least-squares lognormal fit of `value − lower` (all values must exceed `lower`).
pub fn fit_lognormal(values: &[f64], probs: &[f64], lower: f64) -> Result<Fit, StatsError> {
    check(values, probs)?;
    if !lower.is_finite() || values.iter().any(|&v| v <= lower) {
        return Err(StatsError::InvalidInput("every value must exceed the lower bound".into()));
    }
    let logs: Vec<f64> = values.iter().map(|v| (v - lower).ln()).collect();
    let obj = |t: &[f64]| sse(|x| LogNormal::new(t[0], t[1].exp()).ok().map(|d| d.cdf(x - lower)), values, probs);
    let m = minimise(obj, start(&logs, probs));
    Ok(result(&m, |meanlog, sdlog| Distribution::LogNormal { lower, meanlog, sdlog }))
}

/// Least-squares beta fit of `(value − lower) / (upper − lower)` (values strictly inside).
pub fn fit_beta(values: &[f64], probs: &[f64], lower: f64, upper: f64) -> Result<Fit, StatsError> {
    check(values, probs)?;
    if !(lower.is_finite() && upper.is_finite() && lower < upper) || values.iter().any(|&v| v <= lower || v >= upper) {
        return Err(StatsError::InvalidInput("values must lie strictly between the bounds".into()));
    }
    let xs: Vec<f64> = values.iter().map(|v| (v - lower) / (upper - lower)).collect();
    // Start from the moments of the normal fit through the outer points, if they make sense.
    let [mu, ls] = start(&xs, probs);
    let (mu, var) = (mu.clamp(0.05, 0.95), ls.exp().powi(2));
    let k = mu * (1.0 - mu) / var - 1.0;
    let x0 = if k > 0.0 { [(mu * k).ln(), ((1.0 - mu) * k).ln()] } else { [0.0, 0.0] };
    let obj = |t: &[f64]| sse(|x| Beta::new(t[0].exp(), t[1].exp()).ok().map(|d| d.cdf(x)), &xs, probs);
    let m = minimise(obj, x0);
    let u = Figure::undefined(Undefined::DidNotConverge);
    Ok(if m.converged {
        Fit {
            distribution: Distribution::Beta {
                lower,
                upper,
                alpha: Figure::new(m.x[0].exp()),
                beta: Figure::new(m.x[1].exp()),
            },
            sse: Figure::new(m.value),
        }
    } else {
        Fit { distribution: Distribution::Beta { lower, upper, alpha: u, beta: u }, sse: u }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: [f64; 3] = [20.0, 30.0, 50.0];
    const P: [f64; 3] = [0.25, 0.5, 0.75];

    /// reference/statistics.md lines 92–93: normal mean 32.86, sd 23.03 (tolerance 1e-2).
    #[test]
    fn golden_normal_lines_92_93() {
        let f = fit_normal(&V, &P).unwrap();
        let Distribution::Normal { mean, sd } = f.distribution else { panic!() };
        assert!((mean.value().unwrap() - 32.86).abs() < 1e-2, "{mean}");
        assert!((sd.value().unwrap() - 23.03).abs() < 1e-2, "{sd}");
    }

    /// reference/statistics.md line 93: lognormal (lower bound 0) meanlog 3.431, sdlog 0.682.
    #[test]
    fn golden_lognormal_line_93() {
        let f = fit_lognormal(&V, &P, 0.0).unwrap();
        let Distribution::LogNormal { meanlog, sdlog, .. } = f.distribution else { panic!() };
        assert!((meanlog.value().unwrap() - 3.431).abs() < 1e-2, "{meanlog}");
        assert!((sdlog.value().unwrap() - 0.682).abs() < 1e-2, "{sdlog}");
    }

    /// Hand-worked: quantiles taken from Beta(2, 5) itself are fitted back exactly.
    #[test]
    fn beta_recovers_its_own_quantiles() {
        let d = Beta::new(2.0, 5.0).unwrap();
        let p = [0.1, 0.5, 0.9];
        let v: Vec<f64> = p.iter().map(|&q| 10.0 + 100.0 * d.inverse_cdf(q)).collect();
        let f = fit_beta(&v, &p, 10.0, 110.0).unwrap();
        let Distribution::Beta { alpha, beta, .. } = f.distribution else { panic!() };
        assert!((alpha.value().unwrap() - 2.0).abs() < 1e-3, "{alpha}");
        assert!((beta.value().unwrap() - 5.0).abs() < 1e-3, "{beta}");
        assert!(f.sse.value().unwrap() < 1e-12);
    }

    #[test]
    fn invalid_inputs_are_errors() {
        assert!(fit_normal(&[1.0], &[0.5]).is_err());
        assert!(fit_normal(&[2.0, 1.0], &[0.25, 0.75]).is_err());
        assert!(fit_normal(&[1.0, 2.0], &[0.0, 0.75]).is_err());
        assert!(fit_lognormal(&V, &P, 25.0).is_err());
        assert!(fit_beta(&V, &P, 0.0, 50.0).is_err());
    }

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let m = nelder_mead(
            |x| (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2),
            &[0.0, 0.0],
            &[1.0, 1.0],
            1e-16,
            1e-10,
            5000,
        );
        assert!(m.converged);
        assert!((m.x[0] - 3.0).abs() < 1e-6 && (m.x[1] + 1.0).abs() < 1e-6);
    }
}
