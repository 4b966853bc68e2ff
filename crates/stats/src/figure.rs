//! A statistic that is either a finite number or undefined for a stated reason.
//!
//! No NaN or infinity can be stored in a [`Figure`]: the only constructor that takes an
//! `f64` turns non-finite values into [`Undefined::NotFinite`].

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Why a statistic has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
#[non_exhaustive]
pub enum Undefined {
    /// Nobody gave a valid answer.
    NoAnswers,
    /// The measure needs more answers than there are.
    TooFewAnswers {
        /// How many the measure needs.
        needed: usize,
        /// How many there were.
        got: usize,
    },
    /// Nobody was invited (response rate).
    NoInvited,
    /// The mean is zero (coefficient of variation).
    ZeroMean,
    /// All values are equal, so the measure divides by zero (e.g. a test statistic's variance).
    NoVariation,
    /// The scale has too few points for the measure (van der Eijk's A needs three).
    ScaleTooSmall,
    /// No expert answered in both rounds.
    NoPairs,
    /// Every paired expert gave the same answer in both rounds (no non-zero difference).
    NoChange,
    /// Fewer than two groups are large enough to compare.
    TooFewGroups,
    /// A group's figures are not shown: it has fewer valid answers than the minimum group
    /// size (how many fewer is not said either, for the same reason).
    SmallGroup {
        /// The study's minimum group size.
        min_group_size: u64,
    },
    /// A computation did not give a finite number.
    NotFinite,
    /// The median falls between two boxes of the scale (3.5 between 1–3 and 4–4), so no
    /// box holds it.
    BetweenBoxes,
    /// An exact test was used, so there is no approximate statistic (z or χ²).
    ExactTest,
    /// The items are on different scales, so one figure over all of them would treat a 4 on
    /// a 5-point scale as a 4 on a 7-point one; the figures per scale stand instead.
    MixedScales,
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoAnswers => f.write_str("no valid answers"),
            Self::TooFewAnswers { needed, got } => {
                write!(f, "needs at least {needed} answers, has {got}")
            }
            Self::NoInvited => f.write_str("nobody was invited"),
            Self::ZeroMean => f.write_str("the mean is zero"),
            Self::NoVariation => f.write_str("all values are equal"),
            Self::ScaleTooSmall => f.write_str("the scale has fewer than three points"),
            Self::NoPairs => f.write_str("no expert answered in both rounds"),
            Self::NoChange => f.write_str("no paired answer changed"),
            Self::TooFewGroups => f.write_str("fewer than two groups large enough to compare"),
            Self::SmallGroup { min_group_size } => {
                write!(f, "fewer answers than the minimum group size ({min_group_size}): not shown")
            }
            Self::NotFinite => f.write_str("the computation gave no finite number"),
            Self::BetweenBoxes => f.write_str("the median lies between two boxes of the scale"),
            Self::ExactTest => f.write_str("an exact test was used"),
            Self::MixedScales => f.write_str("items on different scales: see the figures per scale"),
        }
    }
}

/// A finite number, or the reason why there is none. Serialises as a JSON number, or as
/// `{"undefined": {"reason": "..."}}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure(Result<f64, Undefined>);

impl Figure {
    /// A figure from a computed number; NaN and infinities become [`Undefined::NotFinite`].
    pub fn new(x: f64) -> Self {
        if x.is_finite() { Self(Ok(x)) } else { Self(Err(Undefined::NotFinite)) }
    }

    /// An undefined figure.
    pub fn undefined(reason: Undefined) -> Self {
        Self(Err(reason))
    }

    /// The value, if defined.
    pub fn value(self) -> Option<f64> {
        self.0.ok()
    }

    /// The reason, if undefined.
    pub fn reason(self) -> Option<Undefined> {
        self.0.err()
    }

    /// Whether the figure has a value.
    pub fn is_defined(self) -> bool {
        self.0.is_ok()
    }

    /// Applies `f` to the value (the result is checked for finiteness again).
    #[must_use]
    pub fn map(self, f: impl FnOnce(f64) -> f64) -> Self {
        match self.0 {
            Ok(x) => Self::new(f(x)),
            Err(e) => Self(Err(e)),
        }
    }

    /// Combines two figures; the first undefined reason wins.
    #[must_use]
    pub fn zip(self, other: Self, f: impl FnOnce(f64, f64) -> Self) -> Self {
        match (self.0, other.0) {
            (Ok(a), Ok(b)) => f(a, b),
            (Err(e), _) | (_, Err(e)) => Self(Err(e)),
        }
    }

    /// As a `Result`.
    pub fn as_result(self) -> Result<f64, Undefined> {
        self.0
    }
}

impl From<Result<f64, Undefined>> for Figure {
    fn from(r: Result<f64, Undefined>) -> Self {
        match r {
            Ok(x) => Self::new(x),
            Err(e) => Self(Err(e)),
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Ok(x) => write!(f, "{x}"),
            Err(e) => write!(f, "undefined ({e})"),
        }
    }
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Ok(x) => s.serialize_f64(x),
            Err(e) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("undefined", &e)?;
                m.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_infinity_never_become_values() {
        assert_eq!(Figure::new(f64::NAN).reason(), Some(Undefined::NotFinite));
        assert_eq!(Figure::new(f64::INFINITY).reason(), Some(Undefined::NotFinite));
        assert_eq!(Figure::new(1.0).map(|x| x / 0.0).reason(), Some(Undefined::NotFinite));
        assert_eq!(Figure::new(2.5).value(), Some(2.5));
    }

    #[test]
    fn serialises_as_number_or_reason() {
        assert_eq!(serde_json::to_string(&Figure::new(1.5)).unwrap(), "1.5");
        assert_eq!(
            serde_json::to_string(&Figure::undefined(Undefined::TooFewAnswers { needed: 2, got: 1 })).unwrap(),
            r#"{"undefined":{"reason":"too_few_answers","needed":2,"got":1}}"#
        );
    }
}
