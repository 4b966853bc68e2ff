//! Fixtures: the shipped study with deterministic synthetic answers.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::rng::Rng;
use delphi_core::study::PanelAttribute;
use delphi_report::{Conduct, FeedbackGiven, PanelCount, RoundConduct};
use delphi_stats::*;

pub const SHIPPED: &str = include_str!("../../../../surveys/ai-safety-cooperation.toml");
pub const SHIPPED_PANEL: &str = include_str!("../../../../surveys/ai-safety-cooperation.panel.csv");

/// The shipped panel, checked against `study`.
pub fn shipped_panel(study: &Study) -> Panel {
    Panel::from_csv(SHIPPED_PANEL, "ai-safety-cooperation.panel.csv", study).expect("the shipped panel is valid")
}

/// Whether panel member `index` answered in `round`: everyone in round 1, then all but every
/// fifth member.
pub fn answered(index: usize, round: u32) -> bool {
    round == 1 || index % 5 != 4
}

/// How `rounds` rounds of the shipped study ran: the shipped panel asked in every round (see
/// [`answered`]); round r open for a week from 2 March 2026 + 14 (r − 1) days, 09:00 UTC, closed
/// an hour after its deadline; from round 2 on the questionnaire fed back round r − 1.
pub fn conduct(study: &Study, rounds: u32, stopping_rule_stated: bool) -> Conduct {
    let panel = shipped_panel(study);
    let mut counts = Vec::new();
    for round in 1..=rounds {
        for attribute in [PanelAttribute::Institution, PanelAttribute::Bloc] {
            let mut groups: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
            for (i, member) in panel.members().iter().enumerate() {
                let group = groups.entry(member.attribute(attribute)).or_default();
                group.0 += 1;
                group.1 += u32::from(answered(i, round));
            }
            counts.extend(groups.into_iter().map(|(group, (invited, responded))| PanelCount {
                attribute,
                group: group.to_owned(),
                round,
                invited,
                responded,
            }));
        }
    }
    let asked = u32::try_from(study.questions().len()).unwrap();
    Conduct {
        rounds: (1..=rounds)
            .map(|round| {
                let opened_at =
                    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::days(14 * (i64::from(round) - 1));
                let deadline = opened_at + Duration::days(7) + Duration::hours(8);
                RoundConduct {
                    round,
                    opened_at,
                    deadline,
                    closed_at: Some(deadline + Duration::hours(1)),
                    feedback: if round == 1 {
                        FeedbackGiven { items_asked: asked, ..FeedbackGiven::default() }
                    } else {
                        FeedbackGiven {
                            from_round: Some(round - 1),
                            items_asked: asked,
                            items_with_feedback: asked - 9,
                            distributions: asked - 10,
                            medians: asked - 9,
                            quartiles: asked - 9,
                            own_answers: asked - 9,
                            rationales: 11 * round,
                            carry_over: Some(delphi_core::study::CarryOver::Confirm),
                        }
                    },
                }
            })
            .collect(),
        panel: counts,
        stopping_rule_stated,
        rules_changed: Vec::new(),
        reminders_sent: BTreeMap::new(),
        questionnaires: Vec::new(),
    }
}

pub fn shipped() -> Study {
    Study::from_toml(SHIPPED, "ai-safety-cooperation.toml").expect("the shipped study is valid")
}

pub fn specs(study: &Study) -> Vec<ItemSpec> {
    delphi_stats::study::item_specs(study).expect("the shipped study maps onto the engine")
}

pub fn config(study: &Study, experts: u64, rounds: u32) -> StatsConfig {
    delphi_stats::study::config(study, (1..=rounds).map(|r| (r, experts)).collect())
}

/// `experts` experts answer every question in `rounds` rounds: each has a leaning per item;
/// later rounds pull answers toward the item's centre; a few drop out, a few say "don't know".
pub fn answers(study: &Study, experts: usize, rounds: u32, seed: u64) -> AnswerTable {
    let specs = specs(study);
    let mut rng = Rng::new(seed);
    let blocs = ["US", "CN", "EU", "other"];
    let countries = ["us", "cn", "de", "fr", "uk", "sg"];
    let domains: Vec<String> = study.domains.iter().map(|d| d.id.as_str().to_owned()).collect();
    let mut rows = Vec::new();
    // each item's centre and each expert's leaning
    // (verification promising, protocols needing safeguards, the others random)
    let centre: Vec<f64> = specs
        .iter()
        .map(|s| match s.id.as_str() {
            "verification.benefit" | "protocols.benefit" => 0.85,
            "verification.risk-capabilities" | "verification.risk-information" | "verification.risk-harm" => 0.2,
            "protocols.risk-capabilities" => 0.65,
            "protocols.risk-information" | "protocols.risk-harm" => 0.3,
            _ => rng.next_f64(),
        })
        .collect();
    let lean: Vec<Vec<f64>> =
        (0..experts).map(|_| specs.iter().map(|_| rng.next_f64() * 2.0 - 1.0).collect()).collect();
    for r in 1..=rounds {
        let pull = 1.0 / f64::from(r * r);
        for e in 0..experts {
            if r > 1 && e % 17 == 16 {
                continue; // dropped out
            }
            let groups = Groups::new()
                .with("bloc", blocs[e % blocs.len()])
                .with("institution", format!("inst{:02}", e % 7))
                .with("country", countries[e % countries.len()]);
            let expert = Pseudonym::new(format!("p-{e:04}")).unwrap();
            for (i, spec) in specs.iter().enumerate() {
                let x = (centre[i] + 0.6 * pull * lean[e][i]).clamp(0.0, 1.0);
                let answer = match spec.kind {
                    ItemKind::Ordinal { scale, .. } => {
                        if rng.below(40) == 0 {
                            Answer::DontKnow
                        } else {
                            let span = f64::from(scale.max() - scale.min());
                            Answer::Ordinal(scale.min() + (x * span).round() as i32)
                        }
                    }
                    ItemKind::Numeric => Answer::Number(Finite::new(x).unwrap()),
                    ItemKind::Quantile { .. } => {
                        let m = 5.0 + 40.0 * x;
                        Answer::Quantiles(Quantiles::new(m * 0.5, m, m * 1.6 + 1.0).unwrap())
                    }
                    ItemKind::Ranking => {
                        let mut order = domains.clone();
                        let k = (e + r as usize) % order.len();
                        order.swap(0, k);
                        Answer::Ranking(Ranking::from_order(order).unwrap())
                    }
                };
                rows.push(AnswerRow {
                    round: r,
                    item: spec.id.clone(),
                    expert: expert.clone(),
                    groups: groups.clone(),
                    answer,
                });
            }
        }
    }
    AnswerTable::from_rows(specs, rows).unwrap()
}

pub fn summary(study: &Study, experts: usize, rounds: u32) -> StudySummary {
    let table = answers(study, experts, rounds, 7);
    summarise(&table, &config(study, experts as u64, rounds)).unwrap()
}

/// The shipped study run by its panel, 40 experts answering three rounds, and how it was
/// conducted: built once per test binary.
pub fn three_rounds() -> &'static (Study, StudySummary, Conduct) {
    static RUN: std::sync::LazyLock<(Study, StudySummary, Conduct)> = std::sync::LazyLock::new(|| {
        let study = shipped();
        let summary = summary(&study, 40, 3);
        let conduct = conduct(&study, 3, true);
        (study, summary, conduct)
    });
    &RUN
}

/// The shipped study with `extra` more domains (`d-000`, …) for benchmarks.
pub fn study_with_domains(extra: usize) -> Study {
    let marker = "# ---------------------------------------------------------------- criteria";
    let mut domains = String::new();
    for i in 0..extra {
        domains.push_str(&format!(
            "[[domains]]\nid = \"d-{i:03}\"\ntitle.en = \"Synthetic area {i}\"\ntitle.zh = \"合成领域 {i}\"\n\
             description.en = \"A synthetic area of technical AI safety, number {i}.\"\n\
             description.zh = \"第 {i} 个合成的技术性人工智能安全领域。\"\n\n"
        ));
    }
    let src = SHIPPED.replacen(marker, &format!("{domains}{marker}"), 1);
    Study::from_toml(&src, "synthetic.toml").expect("the synthetic study is valid")
}
