//! The consensus rule of a study, as data: what the statistics engine applies and the reports quote.

use serde::{Deserialize, Serialize};

/// How sample quantiles (quartiles, IQR, RAND/UCLA percentiles) are computed.
///
/// Hyndman & Fan (1996) define nine types; software disagrees on the default, so every
/// report names the one it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum QuantileMethod {
    /// Type 7: `h = (n - 1) p + 1`. R's and numpy's default, Excel `QUARTILE.INC`.
    #[default]
    Type7,
    /// Type 6: `h = (n + 1) p`. SPSS, Minitab, Excel `QUARTILE.EXC`.
    Type6,
}

impl QuantileMethod {
    /// The name printed in reports and methods sections.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Type7 => "Hyndman–Fan type 7 (R default)",
            Self::Type6 => "Hyndman–Fan type 6 (SPSS)",
        }
    }
}

/// How "don't know" answers enter the percentage of agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DontKnowPolicy {
    /// "Don't know" answers leave the denominator: agreement is among those with an opinion.
    #[default]
    Exclude,
    /// "Don't know" answers stay in the denominator and count as not agreeing.
    Count,
}

/// Which answers count towards consensus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ConsensusPosition {
    /// Consensus means agreement: the share of answers in the scale's agree set (top box).
    AgreeSet,
    /// Consensus on whatever position the panel takes: the share of answers in the box that
    /// holds the median — the agree set, its mirror at the other end of the scale, or the
    /// points between. A panel that firmly rates a risk low has reached consensus too.
    #[default]
    MedianBox,
}

/// The study's definition of consensus and of stability between rounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConsensusRule {
    /// Consensus needs an interquartile range no larger than this (in scale points).
    pub iqr_max: f64,
    /// … and at least this percentage of answers in the position that counts ([`Self::position`]).
    pub agreement_min_percent: f64,
    /// Which answers count: the agree set only, or the box that holds the median.
    pub position: ConsensusPosition,
    /// Quantile definition for quartiles and IQR.
    pub quantile_method: QuantileMethod,
    /// Whether "don't know" answers count in the agreement denominator.
    pub dont_know: DontKnowPolicy,
    /// A round is stable when at most this percentage of paired answers changed.
    pub stability_max_change_percent: f64,
    /// Consensus needs at least this many valid answers (don't-know aside): below it the
    /// verdict is "too few answers", however the answers agree. The study file's
    /// `consensus.min_answers`, raised to the panel's minimum group size where that is larger.
    #[serde(default = "default_min_answers")]
    pub min_answers: u32,
}

/// Five answers: below that a single dissenter moves the quartiles by whole points, and a
/// lone answer would be "consensus" by definition.
pub const DEFAULT_MIN_ANSWERS: u32 = 5;

fn default_min_answers() -> u32 {
    DEFAULT_MIN_ANSWERS
}

impl Default for ConsensusRule {
    fn default() -> Self {
        Self {
            iqr_max: 1.0,
            agreement_min_percent: 70.0,
            position: ConsensusPosition::MedianBox,
            quantile_method: QuantileMethod::Type7,
            dont_know: DontKnowPolicy::Exclude,
            stability_max_change_percent: 15.0,
            min_answers: DEFAULT_MIN_ANSWERS,
        }
    }
}
