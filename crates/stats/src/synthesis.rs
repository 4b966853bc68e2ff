//! Benefit–risk synthesis per domain: where the panel places each area.
//!
//! **Rule.** Each criterion's median is put on a 0–1 scale, `(median − min) / (max − min)`.
//! With `B` the benefit and `R` the worst (highest) risk:
//! - *promising*: `B > 0.5` and `R < 0.5` — clearly beneficial, every risk below the midpoint;
//! - *needs safeguards*: `B > 0.5`, `R ≥ 0.5` and `B ≥ R` — beneficial, but a risk is at or
//!   above the midpoint (and not above the benefit);
//! - *avoid*: otherwise — the benefit is not above the midpoint, or the worst risk exceeds it.
//!
//! **How sure the panel is.** Every expert who rated the benefit and all risks of the domain
//! in the round is placed by the same rule on their own answers; the *placement agreement* is
//! the share of those experts whose own placement equals the panel's. It is reported as
//! *high* (≥ 2/3), *moderate* (≥ 1/2) or *low*. No resampling is involved.

use serde::Serialize;

use crate::item::Outcome;
use crate::{Figure, Undefined};

/// Where a domain is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// High benefit, every risk low.
    Promising,
    /// High benefit, a risk at or above the midpoint.
    NeedsSafeguards,
    /// Low benefit, or a risk above the benefit.
    Avoid,
}

impl Placement {
    /// The placement of a normalised benefit `b` and worst risk `r` (both 0–1).
    pub fn of(b: f64, r: f64) -> Self {
        if b > 0.5 && r < 0.5 {
            Self::Promising
        } else if b > 0.5 && b >= r {
            Self::NeedsSafeguards
        } else {
            Self::Avoid
        }
    }

    /// Human-readable name.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Promising => "promising",
            Self::NeedsSafeguards => "needs safeguards",
            Self::Avoid => "avoid",
        }
    }
}

/// How sure the panel is about a placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// At least two thirds of the experts place the domain the same way.
    High,
    /// At least half.
    Moderate,
    /// Fewer than half.
    Low,
    /// No expert rated all criteria.
    Undefined,
}

/// One criterion's median.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionFigure {
    /// The criterion (e.g. "benefit", "advances-capabilities").
    pub criterion: String,
    /// The item asking it.
    pub item: String,
    /// The median on the item's scale.
    pub median: Figure,
    /// The median on 0–1.
    pub normalised: Figure,
    /// The item's consensus verdict in the round.
    pub consensus: Outcome,
}

/// The synthesis of one domain in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainSynthesis {
    /// The domain.
    pub domain: String,
    /// The round.
    pub round: u32,
    /// The benefit.
    pub benefit: CriterionFigure,
    /// The risks.
    pub risks: Vec<CriterionFigure>,
    /// The criterion of the worst risk (highest median), if any is defined.
    pub worst_risk: Option<String>,
    /// The panel's placement (`None` when a median is undefined).
    pub placement: Option<Placement>,
    /// Why, in words, including how many of the criteria reached consensus.
    pub reason: String,
    /// Experts who rated the benefit and every risk.
    pub experts_placed: u64,
    /// Share of them whose own placement equals the panel's.
    pub placement_agreement: Figure,
    /// High / moderate / low.
    pub certainty: Certainty,
}

/// Places a domain from its criteria and the experts' own placements.
pub fn synthesise(
    domain: String,
    round: u32,
    benefit: CriterionFigure,
    risks: Vec<CriterionFigure>,
    expert_placements: &[Placement],
) -> DomainSynthesis {
    let worst = risks.iter().filter_map(|r| r.normalised.value().map(|v| (v, r))).fold(
        None::<(f64, &CriterionFigure)>,
        |acc, (v, r)| match acc {
            Some((bv, _)) if bv >= v => acc,
            _ => Some((v, r)),
        },
    );
    let all_defined = risks.iter().all(|r| r.normalised.is_defined()) && !risks.is_empty();
    let (placement, reason) = match (benefit.normalised.value(), worst) {
        (Some(b), Some((r, wr))) if all_defined => {
            let p = Placement::of(b, r);
            let text = format!(
                "{}: benefit median {} ({:.2} of the scale) against worst risk {} median {} ({:.2})",
                p.describe(),
                benefit.median,
                b,
                wr.criterion,
                wr.median,
                r
            );
            let agreed = std::iter::once(&benefit).chain(&risks).filter(|c| c.consensus == Outcome::Met).count();
            let text = format!("{text}; {agreed} of {} criteria reached consensus", risks.len() + 1);
            (Some(p), text)
        }
        (None, _) => (None, format!("benefit median undefined: {}", benefit.median)),
        _ => (None, "a risk median is undefined or no risk is rated".to_owned()),
    };
    let n = expert_placements.len() as u64;
    let (placement_agreement, certainty) = match placement {
        Some(p) if n > 0 => {
            let same = expert_placements.iter().filter(|&&e| e == p).count() as u64;
            let share = same as f64 / n as f64;
            let c = if 3 * same >= 2 * n {
                Certainty::High
            } else if 2 * same >= n {
                Certainty::Moderate
            } else {
                Certainty::Low
            };
            (Figure::new(share), c)
        }
        Some(_) => (Figure::undefined(Undefined::NoAnswers), Certainty::Undefined),
        None => (Figure::undefined(Undefined::NoAnswers), Certainty::Undefined),
    };
    DomainSynthesis {
        domain,
        round,
        benefit,
        worst_risk: worst.map(|w| w.1.criterion.clone()),
        risks,
        placement,
        reason,
        experts_placed: n,
        placement_agreement,
        certainty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crit(name: &str, median: f64) -> CriterionFigure {
        CriterionFigure {
            criterion: name.into(),
            item: format!("v-{name}"),
            median: Figure::new(median),
            normalised: Figure::new((median - 1.0) / 6.0),
            consensus: Outcome::Met,
        }
    }

    #[test]
    fn placement_rule() {
        assert_eq!(Placement::of(0.8, 0.2), Placement::Promising);
        assert_eq!(Placement::of(0.8, 0.5), Placement::NeedsSafeguards);
        assert_eq!(Placement::of(0.8, 0.8), Placement::NeedsSafeguards);
        assert_eq!(Placement::of(0.6, 0.7), Placement::Avoid);
        assert_eq!(Placement::of(0.5, 0.1), Placement::Avoid);
    }

    /// Hand-worked on a 1–7 scale: benefit 6 (0.83), risks 2 and 3 (0.17, 0.33) → promising;
    /// 3 of 4 experts agree → 0.75, high.
    #[test]
    fn hand_worked_domain() {
        let s = synthesise(
            "verification".into(),
            1,
            crit("benefit", 6.0),
            vec![crit("capabilities", 2.0), crit("information", 3.0)],
            &[Placement::Promising, Placement::Promising, Placement::NeedsSafeguards, Placement::Promising],
        );
        assert_eq!(s.placement, Some(Placement::Promising));
        assert_eq!(s.worst_risk.as_deref(), Some("information"));
        assert_eq!(s.placement_agreement.value(), Some(0.75));
        assert_eq!(s.certainty, Certainty::High);
        assert_eq!(
            s.reason,
            "promising: benefit median 6 (0.83 of the scale) against worst risk information \
             median 3 (0.33); 3 of 3 criteria reached consensus"
        );
    }

    #[test]
    fn edge_cases() {
        // no answers at all: undefined, no panic
        let mut b = crit("benefit", 1.0);
        b.median = Figure::undefined(Undefined::NoAnswers);
        b.normalised = b.median;
        let s = synthesise("d".into(), 1, b, vec![crit("r", 2.0)], &[]);
        assert_eq!(s.placement, None);
        assert_eq!(s.certainty, Certainty::Undefined);
        // no risks rated
        let s = synthesise("d".into(), 1, crit("benefit", 6.0), vec![], &[]);
        assert_eq!(s.placement, None);
        // one expert placed differently from the panel
        let s = synthesise("d".into(), 1, crit("benefit", 6.0), vec![crit("r", 6.0)], &[Placement::Avoid]);
        assert_eq!(s.placement, Some(Placement::NeedsSafeguards));
        assert_eq!(s.certainty, Certainty::Low);
    }
}
