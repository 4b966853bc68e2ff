//! The consensus overview `delphi round close` prints: per item the verdict and what it was
//! decided on, then each domain's benefit–risk placement.

use delphi_stats::summarise::ItemResult;

use crate::render::table;

/// Per domain and criterion: n, median, IQR, the share of answers the verdict was decided on
/// (with the part of the scale it counts) and the verdict; then the benefit–risk placement
/// of each domain.
pub(super) fn consensus_overview(
    study: &delphi_core::Study,
    summary: &delphi_stats::StudySummary,
    round: u32,
) -> String {
    let figure =
        |f: delphi_stats::Figure, digits: usize| f.value().map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"));
    let by_median_box = study.consensus.position == delphi_core::consensus::ConsensusPosition::MedianBox;
    let mut rows = Vec::new();
    for item in summary.items.iter().filter(|i| i.round == round) {
        // A consensus verdict is reached on ratings alone.
        let o = match &item.result {
            ItemResult::Ordinal(o) => o,
            ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_) => continue,
        };
        let verdict = match o.consensus.outcome {
            delphi_stats::item::Outcome::Met => "consensus",
            delphi_stats::item::Outcome::NotMet => "no consensus",
            delphi_stats::item::Outcome::TooFewAnswers => "too few answers",
            delphi_stats::item::Outcome::Undefined => "undefined",
        };
        let mut row = vec![
            item.item.as_str().to_owned(),
            o.n.to_string(),
            figure(o.median, 1),
            figure(o.iqr, 2),
            deciding_share(o.consensus_box_percent, o.consensus_box, study.consensus.agreement_min_percent),
        ];
        if by_median_box {
            row.push(format!("{} %", figure(o.agreement_percent, 0)));
        }
        row.push(verdict.to_owned());
        rows.push(row);
    }
    let rule = &study.consensus;
    let position = if by_median_box {
        "in the box holding the median (the agree set, its mirror at the other end of the scale, or the points between)"
    } else {
        "in the scale's agree set (top box)"
    };
    let mut out = format!(
        "\nconsensus in round {round}: IQR ≤ {} and at least {} % of answers {position}; quartiles by {}\n",
        rule.iqr_max,
        rule.agreement_min_percent,
        rule.quantile_method.describe()
    );
    let header: &[&str] = if by_median_box {
        &["item", "n", "median", "IQR", "deciding share", "top box", "verdict"]
    } else {
        &["item", "n", "median", "IQR", "deciding share", "verdict"]
    };
    out.push_str(&table(header, &rows));
    let placements: Vec<Vec<String>> = study
        .domains
        .iter()
        .filter_map(|domain| summary.synthesis.iter().find(|d| d.round == round && d.domain == domain.id.as_str()))
        .map(|d| {
            let placement = match d.placement {
                Some(delphi_stats::synthesis::Placement::Promising) => "promising",
                Some(delphi_stats::synthesis::Placement::NeedsSafeguards) => "needs safeguards",
                Some(delphi_stats::synthesis::Placement::Avoid) => "avoid",
                None => "undetermined",
            };
            let certainty = match d.certainty {
                delphi_stats::synthesis::Certainty::High => "high",
                delphi_stats::synthesis::Certainty::Moderate => "moderate",
                delphi_stats::synthesis::Certainty::Low => "low",
                delphi_stats::synthesis::Certainty::Undefined => "–",
            };
            vec![d.domain.clone(), placement.to_owned(), certainty.to_owned(), d.reason.clone()]
        })
        .collect();
    if !placements.is_empty() {
        out.push_str("\nbenefit against risk:\n");
        out.push_str(&table(&["domain", "placement", "certainty", "why"], &placements));
    }
    out
}

/// The share of answers a consensus verdict was decided on, with the part of the scale it
/// counts: `100 % in 1–2`, `60 % at 3`; without a box (the median between two), the dash.
fn deciding_share(percent: delphi_stats::Figure, judged: Option<delphi_stats::AgreeSet>, threshold: f64) -> String {
    match (percent.value(), judged) {
        (Some(p), Some(b)) if b.lo() == b.hi() => format!("{} % at {}", share_against(p, threshold), b.lo()),
        (Some(p), Some(b)) => format!("{} % in {}–{}", share_against(p, threshold), b.lo(), b.hi()),
        _ => "– (median between boxes)".to_owned(),
    }
}

/// `percent` with the fewest decimals that keep it on the same side of `threshold`, so
/// 69.6 % against 70 % never prints as 70 %.
fn share_against(percent: f64, threshold: f64) -> String {
    let reaches = percent >= threshold;
    (0..=3)
        .map(|digits| format!("{percent:.digits$}"))
        .find(|shown| shown.parse::<f64>().is_ok_and(|v| (v >= threshold) == reaches))
        .unwrap_or_else(|| percent.to_string())
}

#[cfg(test)]
mod tests {
    use super::share_against;

    #[test]
    fn a_share_just_under_the_threshold_never_prints_as_reaching_it() {
        assert_eq!(share_against(69.6, 70.0), "69.6");
        assert_eq!(share_against(69.96, 70.0), "69.96");
        assert_eq!(share_against(70.0, 70.0), "70");
        assert_eq!(share_against(100.0, 70.0), "100");
        assert_eq!(share_against(66.666_666, 70.0), "67");
    }
}
