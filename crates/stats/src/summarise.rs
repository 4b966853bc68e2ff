//! The whole study: every item in every round, stability, groups, reliability, Cooke's
//! model and the benefit–risk synthesis, from one [`AnswerTable`] ([`summarise`]); or the
//! per-item figures alone ([`summarise_items`], by the same code).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use delphi_core::consensus::{ConsensusRule, QuantileMethod};
use delphi_core::study::QuantileLevels;
use serde::Serialize;

use crate::classical::{self, CaseExpert, CaseItem, CaseModel, CookeCase, CookeOptions, Scale};
use crate::cooke::{ClassicalModel, DmScore, ExpertScore, LinearPool, TargetQuantiles, linear_pool};
use crate::groups::{GroupAnswers, GroupComparison, GroupRule, GroupedAnswers, compare_groups};
use crate::input::{AnswerTable, ItemId, ItemKind, ItemSpec, OrdinalScale, Quantiles, Ranking, Row, Stored};
use crate::item::{NumericSummary, OrdinalSummary, numeric_summary, ordinal_summary, response_rate};
use crate::kendall::{KendallW, kendall_w};
use crate::krippendorff::{Alphas, Coincidences};
use crate::stability::{Paired, Stability, stability};
use crate::synthesis::{CriterionFigure, DomainSynthesis, Placement, synthesise};
use crate::{Figure, StatsError, Undefined};

/// Which criteria are the benefit and which the risks (the study's synthesis section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SynthesisSpec {
    /// The benefit criterion.
    pub benefit: String,
    /// The risk criteria.
    pub risks: Vec<String>,
}

/// What the statistics need to know about the study beyond the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsConfig {
    /// Consensus and stability rule, quantile type, don't-know policy.
    pub rule: ConsensusRule,
    /// Experts invited per round (for the response rate).
    pub invited: BTreeMap<u32, u64>,
    /// Group attributes to compare by (e.g. "bloc", "institution").
    pub group_attributes: Vec<String>,
    /// Groups with fewer valid answers are suppressed.
    pub min_group_size: u64,
    /// The benefit–risk synthesis, if the study has one.
    pub synthesis: Option<SynthesisSpec>,
}

impl Default for StatsConfig {
    fn default() -> Self {
        Self {
            rule: ConsensusRule::default(),
            invited: BTreeMap::new(),
            group_attributes: Vec::new(),
            min_group_size: 5,
            synthesis: None,
        }
    }
}

impl StatsConfig {
    /// Checks thresholds and names.
    pub fn validate(&self) -> Result<(), StatsError> {
        let r = &self.rule;
        let bad = |s: String| Err(StatsError::InvalidConfig(s));
        if !(r.iqr_max.is_finite() && r.iqr_max >= 0.0) {
            return bad(format!("iqr_max {} must be a finite number ≥ 0", r.iqr_max));
        }
        for (name, v) in [
            ("agreement_min_percent", r.agreement_min_percent),
            ("stability_max_change_percent", r.stability_max_change_percent),
        ] {
            if !(0.0..=100.0).contains(&v) {
                return bad(format!("{name} {v} must lie in 0..=100"));
            }
        }
        let mut seen = BTreeSet::new();
        for a in &self.group_attributes {
            if a.is_empty() || !seen.insert(a) {
                return bad(format!("group attribute {a:?} is empty or repeated"));
            }
        }
        Ok(())
    }
}

/// A quantile item in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileSummary {
    /// Valid assessments.
    pub n: u64,
    /// "Don't know" answers.
    pub dont_know: u64,
    /// Response rate.
    pub response_rate: Figure,
    /// The known realisation of a seed item.
    pub realisation: Option<f64>,
    /// The equal-weight linear pool.
    pub pool: LinearPool,
}

/// A ranking item in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingSummary {
    /// Valid rankings.
    pub n: u64,
    /// "Don't know" answers.
    pub dont_know: u64,
    /// Response rate.
    pub response_rate: Figure,
    /// Kendall's W and mean ranks.
    pub kendall: KendallW,
}

/// The result for one item in one round, by item kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ItemResult {
    /// An ordinal item.
    Ordinal(Box<OrdinalSummary>),
    /// A numeric item.
    Numeric(NumericSummary),
    /// A quantile item.
    Quantile(QuantileSummary),
    /// A ranking item.
    Ranking(RankingSummary),
}

impl ItemResult {
    /// Every figure with a stable name, for tidy exports and report tables.
    pub fn measures(&self) -> Vec<(&'static str, Figure)> {
        let count = |x: u64| Figure::new(x as f64);
        match self {
            Self::Ordinal(o) => o.measures(),
            Self::Numeric(n) => n.measures(),
            Self::Quantile(q) => vec![
                ("n", count(q.n)),
                ("dont_know", count(q.dont_know)),
                ("response_rate", q.response_rate),
                ("pool_q05", q.pool.q05),
                ("pool_q50", q.pool.q50),
                ("pool_q95", q.pool.q95),
            ],
            Self::Ranking(r) => vec![
                ("n", count(r.n)),
                ("dont_know", count(r.dont_know)),
                ("response_rate", r.response_rate),
                ("kendall_w", r.kendall.w),
                ("kendall_w_uncorrected", r.kendall.w_uncorrected),
                ("kendall_chi_square", r.kendall.chi_square),
                ("kendall_p_value", r.kendall.p_value),
            ],
        }
    }

    /// The item kind's name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Ordinal(_) => "ordinal",
            Self::Numeric(_) => "numeric",
            Self::Quantile(_) => "quantile",
            Self::Ranking(_) => "ranking",
        }
    }
}

/// One item in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRound {
    /// The item.
    pub item: ItemId,
    /// The round.
    pub round: u32,
    /// The figures.
    pub result: ItemResult,
}

/// Krippendorff's alpha over the panel in one round: units are the ordinal items, coders the
/// experts, values the scale points.
///
/// Alpha is computed per scale (and per criterion and scale): pooling 5- and 7-point items
/// would treat a 4 on one as a 4 on the other, and a pooled 0.69 hid 0.35 on the 5-point
/// items alone. The pooled figure is kept only where every ordinal item shares one scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundReliability {
    /// The round.
    pub round: u32,
    /// Alpha at the four levels over all ordinal items (the report quotes ordinal and
    /// interval); undefined ([`Undefined::MixedScales`]) when the items' scales differ.
    pub alpha: Alphas,
    /// Alpha over the items of each scale, scales ascending.
    pub by_scale: Vec<ScaleReliability>,
    /// Alpha over the items of each criterion and scale (items with a criterion only).
    pub by_criterion: Vec<ScaleReliability>,
}

/// Krippendorff's alpha over the ordinal items of one scale (and criterion) in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleReliability {
    /// The criterion, for the per-criterion figures.
    pub criterion: Option<String>,
    /// The scale's lowest point.
    pub min: i32,
    /// The scale's highest point.
    pub max: i32,
    /// Alpha at the four levels.
    pub alpha: Alphas,
}

/// Cooke's classical model in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CookeRound {
    /// The round.
    pub round: u32,
    /// Seed items (with realisations), in specification order.
    pub seed_items: Vec<ItemId>,
    /// Target items, in specification order (matching `model.targets`).
    pub target_items: Vec<ItemId>,
    /// Experts left out because they answered no seed item (those who left some blank are
    /// scored on the seeds they answered, as EXCALIBUR does).
    pub experts_excluded: usize,
    /// The model's warnings (fewer than 8 seeds, blank seed answers).
    pub warnings: Vec<String>,
    /// The model.
    pub model: ClassicalModel,
}

/// Everything the statistics say about a study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudySummary {
    /// The quantile type used throughout.
    pub quantile_method: QuantileMethod,
    /// Its printable name.
    pub quantile_method_name: &'static str,
    /// The rule applied.
    pub rule: ConsensusRule,
    /// The rounds summarised.
    pub rounds: Vec<u32>,
    /// Every item in every round (items in specification order, rounds ascending).
    pub items: Vec<ItemRound>,
    /// Change between consecutive rounds in which an item has answers (ordinal and numeric).
    pub stability: Vec<Stability>,
    /// Group comparisons (ordinal items, rounds with answers, attributes in configured order).
    pub groups: Vec<GroupComparison>,
    /// Krippendorff's alpha per round.
    pub reliability: Vec<RoundReliability>,
    /// Cooke's classical model per round with seed items.
    pub cooke: Vec<CookeRound>,
    /// Benefit–risk synthesis per round and domain.
    pub synthesis: Vec<DomainSynthesis>,
}

/// Krippendorff's alpha per round: pooled where all ordinal items share a scale, and per
/// scale and per criterion and scale.
fn reliability(
    pooled: BTreeMap<u32, Coincidences>,
    per_scale: &BTreeMap<(u32, Option<&str>, i32, i32), Coincidences>,
) -> Vec<RoundReliability> {
    pooled
        .into_iter()
        .map(|(round, c)| {
            let of_round = per_scale.iter().filter(|(k, _)| k.0 == round);
            let (by_criterion, by_scale): (Vec<_>, Vec<_>) = of_round
                .map(|(&(_, criterion, min, max), c)| ScaleReliability {
                    criterion: criterion.map(str::to_owned),
                    min,
                    max,
                    alpha: c.alphas(),
                })
                .partition(|s| s.criterion.is_some());
            let mut alpha = c.alphas();
            if by_scale.len() > 1 {
                let mixed = Figure::undefined(Undefined::MixedScales);
                (alpha.nominal, alpha.ordinal, alpha.interval, alpha.ratio) = (mixed, mixed, mixed, mixed);
            }
            RoundReliability { round, alpha, by_scale, by_criterion }
        })
        .collect()
}

/// A group attribute: its name, its sorted group names, and each expert's group.
type Attribute<'a> = (&'a str, Vec<String>, Vec<Option<usize>>);

/// Pairs two rounds' answers (both sorted by expert).
/// For an item that continues an earlier one: the earlier item's last round with answers
/// before the item's own first, its rows, CV and IQR — what stability pairs against.
fn predecessor<'t>(
    table: &'t AnswerTable,
    item: u32,
    spec: &ItemSpec,
    rounds: &[u32],
    rule: &ConsensusRule,
) -> Option<(u32, &'t [Row], Figure, Figure)> {
    let earlier = table.items.iter().position(|s| Some(&s.id) == spec.continues.as_ref())?;
    let earlier = u32_of(earlier);
    let first_own = rounds.iter().copied().find(|&r| !table.bucket(item, r).is_empty())?;
    let r0 = rounds.iter().copied().filter(|&r| r < first_own && !table.bucket(earlier, r).is_empty()).max()?;
    let rows = table.bucket(earlier, r0);
    let dont_know = rows.iter().filter(|x| x.value == Stored::DontKnow).count() as u64;
    let (cv, iqr) = match table.items[earlier as usize].kind {
        ItemKind::Ordinal { scale, agree } => {
            let mut counts = vec![0u64; scale.points()];
            for row in rows {
                if let Stored::Ordinal(x) = row.value {
                    counts[scale.index(x)] += 1;
                }
            }
            let s = ordinal_summary(&counts, dont_know, scale, agree, rule, None);
            (s.cv, s.iqr)
        }
        ItemKind::Numeric => {
            let mut values: Vec<f64> = rows.iter().filter_map(|x| numeric_value(x.value)).collect();
            let s = numeric_summary(&mut values, dont_know, rule, None);
            (s.cv, s.iqr)
        }
        ItemKind::Quantile { .. } | ItemKind::Ranking => return None,
    };
    Some((r0, rows, cv, iqr))
}

fn pair(a: &[Row], b: &[Row], val: impl Fn(Stored) -> Option<f64>) -> Paired {
    let mut p = Paired::default();
    let mut j = 0;
    for ra in a {
        while j < b.len() && b[j].expert < ra.expert {
            j += 1;
        }
        let Some(x) = val(ra.value) else { continue };
        if j < b.len() && b[j].expert == ra.expert {
            if let Some(y) = val(b[j].value) {
                p.earlier.push(x);
                p.later.push(y);
            }
        } else {
            p.dropouts.push(x);
        }
    }
    p
}

fn ordinal_value(v: Stored) -> Option<f64> {
    match v {
        Stored::Ordinal(x) => Some(f64::from(x)),
        _ => None,
    }
}

fn numeric_value(v: Stored) -> Option<f64> {
    match v {
        Stored::Number(x) => Some(x),
        _ => None,
    }
}

fn u32_of(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 items")
}

/// The rounds a summary covers: those with answers and those with invitations, ascending.
fn rounds_of(table: &AnswerTable, config: &StatsConfig) -> Vec<u32> {
    let mut rounds: Vec<u32> = table.rounds.iter().chain(config.invited.keys()).copied().collect();
    rounds.sort_unstable();
    rounds.dedup();
    rounds
}

/// The per-item figures of every item in every round, and nothing else: no stability
/// between rounds, group comparisons, reliability, Cooke's model or synthesis.
///
/// The items are those [`summarise`] reports in [`StudySummary::items`], in the same order
/// and computed by the same code ([`summarise`] calls the same per-item function), for a
/// caller who needs only the per-item table (e.g. a dashboard refreshed while a round is
/// open), at a fraction of the whole summary's cost.
///
/// ```
/// use delphi_stats::*;
///
/// let scale = OrdinalScale::new(1, 5)?;
/// let item = ItemSpec::new(ItemId::new("q1")?, ItemKind::Ordinal { scale, agree: AgreeSet::new(scale, 4, 5)? });
/// let rows = [4, 5, 4, 2].iter().enumerate().map(|(e, &x)| AnswerRow {
///     round: 1,
///     item: ItemId::new("q1").unwrap(),
///     expert: Pseudonym::new(format!("E{e}")).unwrap(),
///     groups: Groups::new(),
///     answer: Answer::Ordinal(x),
/// });
/// let table = AnswerTable::from_rows(vec![item], rows)?;
/// let items = summarise_items(&table, &StatsConfig::default())?;
/// let summarise::ItemResult::Ordinal(q1) = &items[0].result else { unreachable!() };
/// assert_eq!((q1.n, q1.median.value()), (4, Some(4.0)));
/// # Ok::<(), StatsError>(())
/// ```
pub fn summarise_items(table: &AnswerTable, config: &StatsConfig) -> Result<Vec<ItemRound>, StatsError> {
    config.validate()?;
    let rounds = rounds_of(table, config);
    let mut scratch = Vec::new();
    let mut items = Vec::with_capacity(table.items.len() * rounds.len());
    for (ii, spec) in table.items.iter().enumerate() {
        for &r in &rounds {
            let result = item_result(table, spec, table.bucket(u32_of(ii), r), config, r, &mut scratch);
            items.push(ItemRound { item: spec.id.clone(), round: r, result });
        }
    }
    Ok(items)
}

/// One item's figures in one round from its rows (`scratch` is reused between numeric items).
fn item_result(
    table: &AnswerTable,
    spec: &ItemSpec,
    rows: &[Row],
    config: &StatsConfig,
    r: u32,
    scratch: &mut Vec<f64>,
) -> ItemResult {
    let rule = &config.rule;
    let invited = config.invited.get(&r).copied();
    match spec.kind {
        ItemKind::Ordinal { scale, agree } => {
            // One pass counts the scale points and the "don't know"s.
            let mut counts = vec![0u64; scale.points()];
            let mut dk = 0;
            for row in rows {
                match row.value {
                    Stored::Ordinal(x) => counts[scale.index(x)] += 1,
                    Stored::DontKnow => dk += 1,
                    _ => {}
                }
            }
            ItemResult::Ordinal(Box::new(ordinal_summary(&counts, dk, scale, agree, rule, invited)))
        }
        ItemKind::Numeric => {
            scratch.clear();
            scratch.extend(rows.iter().filter_map(|x| numeric_value(x.value)));
            ItemResult::Numeric(numeric_summary(scratch, dont_know(rows), rule, invited))
        }
        ItemKind::Quantile { realisation, levels, .. } => {
            let qs: Vec<&Quantiles> = rows
                .iter()
                .filter_map(|x| match x.value {
                    Stored::Quantiles(i) => Some(&table.quantiles[i as usize]),
                    _ => None,
                })
                .collect();
            let realisation = realisation.map(crate::Finite::get);
            ItemResult::Quantile(QuantileSummary {
                n: qs.len() as u64,
                dont_know: dont_know(rows),
                response_rate: response_rate(rows.len() as u64, invited),
                realisation,
                pool: linear_pool(&qs, levels, realisation),
            })
        }
        ItemKind::Ranking => {
            let rs: Vec<&Ranking> = rows
                .iter()
                .filter_map(|x| match x.value {
                    Stored::Ranking(i) => Some(&table.rankings[i as usize]),
                    _ => None,
                })
                .collect();
            ItemResult::Ranking(RankingSummary {
                n: rs.len() as u64,
                dont_know: dont_know(rows),
                response_rate: response_rate(rows.len() as u64, invited),
                kendall: kendall_w(&rs),
            })
        }
    }
}

fn dont_know(rows: &[Row]) -> u64 {
    rows.iter().filter(|x| x.value == Stored::DontKnow).count() as u64
}

/// Summarises a whole study.
pub fn summarise(table: &AnswerTable, config: &StatsConfig) -> Result<StudySummary, StatsError> {
    config.validate()?;
    let rule = &config.rule;
    let rounds = rounds_of(table, config);

    let attrs = group_attributes(table, config);
    let mut reliability_counts = ReliabilityCounts::new(ordinal_span(table));

    let mut items = Vec::new();
    let mut stab = Vec::new();
    let mut groups = Vec::new();
    let mut ordinal_index: HashMap<(u32, u32), usize> = HashMap::new();
    let mut scratch: Vec<f64> = Vec::new();

    for (ii, spec) in table.items.iter().enumerate() {
        let ii = u32_of(ii);
        // A continuation starts from the last answers to the item it continues.
        let mut prev: Option<(u32, &[Row], Figure, Figure)> = predecessor(table, ii, spec, &rounds, rule);
        let lineage_round = prev.map(|(r0, ..)| r0);
        let stability_before = stab.len();
        for &r in &rounds {
            let rows = table.bucket(ii, r);
            let result = item_result(table, spec, rows, config, r, &mut scratch);
            match (&result, spec.kind) {
                (ItemResult::Ordinal(s), ItemKind::Ordinal { scale, agree }) => {
                    if !rows.is_empty() {
                        let k = scale.points();
                        for (attr, names, of) in &attrs {
                            let (gc, gdk) = counts_by_group(rows, of, names.len(), scale);
                            let of_groups: Vec<GroupAnswers<'_>> = names
                                .iter()
                                .zip(gc.chunks(k))
                                .zip(&gdk)
                                .map(|((name, counts), &dont_know)| GroupAnswers { name, counts, dont_know })
                                .collect();
                            groups.push(compare_groups(
                                &GroupedAnswers {
                                    attribute: attr,
                                    item: &spec.id,
                                    round: r,
                                    scale,
                                    agree,
                                    groups: &of_groups,
                                },
                                &GroupRule {
                                    consensus: rule,
                                    min_group_size: config.min_group_size,
                                    overall: &s.consensus,
                                    overall_box: s.consensus_box,
                                },
                            ));
                        }
                        reliability_counts.add(r, scale, spec.criterion.as_deref(), &s.counts);
                        if let Some((r0, rows0, cv0, iqr0)) = prev {
                            let p = pair(rows0, rows, ordinal_value);
                            let is_agree = move |x: f64| agree.contains(x as i32);
                            stab.push(stability(
                                spec.id.clone(),
                                r0,
                                r,
                                &p,
                                Some(&is_agree),
                                (cv0, s.cv),
                                (iqr0, s.iqr),
                                rule,
                            ));
                        }
                        prev = Some((r, rows, s.cv, s.iqr));
                    }
                    ordinal_index.insert((ii, r), items.len());
                }
                (ItemResult::Numeric(s), _) if !rows.is_empty() => {
                    if let Some((r0, rows0, cv0, iqr0)) = prev {
                        let p = pair(rows0, rows, numeric_value);
                        stab.push(stability(spec.id.clone(), r0, r, &p, None, (cv0, s.cv), (iqr0, s.iqr), rule));
                    }
                    prev = Some((r, rows, s.cv, s.iqr));
                }
                // No group comparison, stability or reliability: for quantities and rankings
                // (yet), and for a round without answers.
                (
                    ItemResult::Ordinal(_) | ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_),
                    _,
                ) => {}
            }
            items.push(ItemRound { item: spec.id.clone(), round: r, result });
        }
        if let (Some(r0), Some(earlier)) = (lineage_round, &spec.continues)
            && let Some(first) = stab[stability_before..].iter_mut().find(|st| st.from_round == r0)
        {
            first.continues = Some(earlier.clone());
        }
    }

    let reliability = reliability(reliability_counts.pooled, &reliability_counts.per_scale);
    let cooke = rounds.iter().filter_map(|&r| cooke_round(table, r)).collect::<Result<Vec<_>, _>>()?;
    let synthesis = match &config.synthesis {
        Some(spec) => synthesis(table, spec, &rounds, &items, &ordinal_index),
        None => Vec::new(),
    };
    Ok(StudySummary {
        quantile_method: rule.quantile_method,
        quantile_method_name: rule.quantile_method.describe(),
        rule: *rule,
        rounds,
        items,
        stability: stab,
        groups,
        reliability,
        cooke,
        synthesis,
    })
}

/// Each expert's group per attribute the study compares by; group names sorted.
fn group_attributes<'c>(table: &AnswerTable, config: &'c StatsConfig) -> Vec<Attribute<'c>> {
    config
        .group_attributes
        .iter()
        .map(|a| {
            let names: Vec<String> = table
                .experts
                .iter()
                .filter_map(|e| e.1.get(a).map(str::to_owned))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let of = table
                .experts
                .iter()
                .map(|e| e.1.get(a).and_then(|v| names.binary_search_by(|n| n.as_str().cmp(v)).ok()))
                .collect();
            (a.as_str(), names, of)
        })
        .collect()
}

/// Counts of one ordinal item's rows per group (`of` gives each expert's group among
/// `groups`): per group and scale point, group after group, and the don't-knows per group.
fn counts_by_group(rows: &[Row], of: &[Option<usize>], groups: usize, scale: OrdinalScale) -> (Vec<u64>, Vec<u64>) {
    let k = scale.points();
    let mut gc = vec![0u64; groups * k];
    let mut gdk = vec![0u64; groups];
    for row in rows {
        if let Some(gi) = of[row.expert as usize] {
            match row.value {
                Stored::Ordinal(x) => gc[gi * k + scale.index(x)] += 1,
                Stored::DontKnow => gdk[gi] += 1,
                _ => {}
            }
        }
    }
    (gc, gdk)
}

/// The lowest and the highest point of all ordinal scales of the study.
fn ordinal_span(table: &AnswerTable) -> (i32, i32) {
    let ordinal_span = table.items.iter().filter_map(|s| match s.kind {
        ItemKind::Ordinal { scale, .. } => Some((scale.min(), scale.max())),
        ItemKind::Numeric | ItemKind::Quantile { .. } | ItemKind::Ranking => None,
    });
    ordinal_span.fold((i32::MAX, i32::MIN), |(a, b), (lo, hi)| (a.min(lo), b.max(hi)))
}

/// The coincidences Krippendorff's alpha is computed from, gathered item by item: per
/// round over the union of all ordinal scales, and per round and scale, overall and per
/// criterion.
struct ReliabilityCounts<'t> {
    /// The union of all ordinal scales.
    span: (i32, i32),
    pooled: BTreeMap<u32, Coincidences>,
    per_scale: BTreeMap<(u32, Option<&'t str>, i32, i32), Coincidences>,
}

impl<'t> ReliabilityCounts<'t> {
    fn new(span: (i32, i32)) -> Self {
        Self { span, pooled: BTreeMap::new(), per_scale: BTreeMap::new() }
    }

    /// Adds an ordinal item's counts per scale point in round `r`.
    fn add(&mut self, r: u32, scale: OrdinalScale, criterion: Option<&'t str>, counts: &[u64]) {
        let (gmin, gmax) = self.span;
        let k = scale.points();
        let width = usize::try_from(i64::from(gmax) - i64::from(gmin) + 1).unwrap_or(0);
        let off = usize::try_from(i64::from(scale.min()) - i64::from(gmin)).unwrap_or(0);
        let mut padded = vec![0u64; width];
        padded[off..off + k].copy_from_slice(counts);
        self.pooled
            .entry(r)
            .or_insert_with(|| Coincidences::new((gmin..=gmax).map(f64::from).collect()))
            .add_unit_counts(&padded);
        let own_scale = || Coincidences::new((scale.min()..=scale.max()).map(f64::from).collect());
        for criterion in std::iter::once(None).chain(criterion.map(Some)) {
            self.per_scale
                .entry((r, criterion, scale.min(), scale.max()))
                .or_insert_with(own_scale)
                .add_unit_counts(counts);
        }
    }
}

fn cooke_round(table: &AnswerTable, r: u32) -> Option<Result<CookeRound, StatsError>> {
    // (item, realisation, log scale) of the quantile items answered this round, and the
    // quantiles the seeds ask: the model's (a study asks the same quantiles of every quantity
    // when it has seeds; a target at other levels stays out of the model).
    let mut seeds = Vec::new();
    let mut targets = Vec::new();
    let mut asked: Option<QuantileLevels> = None;
    for (ii, s) in table.items.iter().enumerate() {
        // Cooke's model weighs quantities alone.
        let (realisation, log, levels) = match s.kind {
            ItemKind::Quantile { realisation, log, levels } => (realisation, log, levels),
            ItemKind::Ordinal { .. } | ItemKind::Numeric | ItemKind::Ranking => continue,
        };
        let ii = u32_of(ii);
        if table.bucket(ii, r).is_empty() {
            continue;
        }
        match realisation {
            Some(x) => {
                if asked.is_some_and(|a| a != levels) {
                    return Some(Err(StatsError::InvalidInput(format!(
                        "seed {} asks the {levels} quantiles, an earlier seed {}",
                        s.id.as_str(),
                        asked.unwrap_or_default()
                    ))));
                }
                asked = Some(levels);
                seeds.push((ii, x.get(), log));
            }
            None => targets.push((ii, log, levels)),
        }
    }
    let asked = asked?;
    let n = table.experts.len();
    let dense = |ii: u32| -> Vec<Option<&Quantiles>> {
        let mut v = vec![None; n];
        for row in table.bucket(ii, r) {
            if let Stored::Quantiles(i) = row.value {
                v[row.expert as usize] = Some(&table.quantiles[i as usize]);
            }
        }
        v
    };
    let seed_q: Vec<Vec<Option<&Quantiles>>> = seeds.iter().map(|s| dense(s.0)).collect();
    let target_q: Vec<Vec<Option<&Quantiles>>> = targets.iter().map(|t| dense(t.0)).collect();
    // As EXCALIBUR: an expert who left some seeds blank is scored on the seeds they answered
    // (see `classical`); one who answered no seed at all cannot be scored.
    let kept: Vec<usize> = (0..n).filter(|&e| seed_q.iter().any(|v| v[e].is_some())).collect();
    let excluded = (0..n).filter(|e| !kept.contains(e) && target_q.iter().any(|v| v[*e].is_some())).count();
    let seed_items = seeds.iter().map(|s| table.items[s.0 as usize].id.clone()).collect();
    let target_items = targets.iter().map(|t| table.items[t.0 as usize].id.clone()).collect();
    // Targets that some scored expert answered enter the model; the others stay undefined.
    let modelled: Vec<usize> = (0..targets.len())
        .filter(|&t| targets[t].2 == asked && kept.iter().any(|&e| target_q[t][e].is_some()))
        .collect();
    let scale = |log: bool| if log { Scale::Log } else { Scale::Uniform };
    let items = seeds
        .iter()
        .map(|s| CaseItem {
            id: table.items[s.0 as usize].id.as_str().to_owned(),
            scale: scale(s.2),
            realisation: Some(s.1),
        })
        .chain(modelled.iter().map(|&t| CaseItem {
            id: table.items[targets[t].0 as usize].id.as_str().to_owned(),
            scale: scale(targets[t].1),
            realisation: None,
        }))
        .collect();
    let experts = kept
        .iter()
        .map(|&e| CaseExpert {
            name: table.experts[e].0.as_str().to_owned(),
            answers: seed_q
                .iter()
                .chain(modelled.iter().map(|&t| &target_q[t]))
                .map(|v| v[e].map(|q| q.values().to_vec()))
                .collect(),
        })
        .collect();
    let model = CookeCase::new(asked.percents().map(u32::from).collect(), items, experts)
        .and_then(|case| classical::run(&case, &CookeOptions::default()))
        .map(|m| classical_summary(&m, asked, seeds.len(), targets.len(), &modelled));
    Some(model.map(|(model, warnings)| CookeRound {
        round: r,
        seed_items,
        target_items,
        experts_excluded: excluded,
        warnings,
        model,
    }))
}

/// A case model in the summary's figures: the quantiles `asked` per target (`modelled[k]` is
/// the target of the case's `seeds + k`-th item; the other targets are undefined), and its
/// warnings.
fn classical_summary(
    m: &CaseModel,
    asked: QuantileLevels,
    seeds: usize,
    targets: usize,
    modelled: &[usize],
) -> (ClassicalModel, Vec<String>) {
    let dm = |d: &classical::DecisionMaker| {
        let (c, i) = (Figure::new(d.scores.calibration), Figure::new(d.scores.information_seeds));
        DmScore { calibration: c, information: i, combined: Figure::new(d.scores.combined()) }
    };
    let figures = |q: Option<&Vec<f64>>| match q {
        Some(q) => q.iter().copied().map(Figure::new).collect(),
        None => vec![Figure::undefined(Undefined::NoAnswers); asked.len()],
    };
    let mut out = vec![TargetQuantiles { performance: figures(None), equal: figures(None) }; targets];
    for (k, &t) in modelled.iter().enumerate() {
        out[t] = TargetQuantiles {
            performance: figures(m.dm.quantiles[seeds + k].as_ref()),
            equal: figures(m.equal_dm.quantiles[seeds + k].as_ref()),
        };
    }
    let model = ClassicalModel {
        seeds: m.seeds,
        experts: m
            .experts
            .iter()
            .map(|e| ExpertScore {
                expert: e.name.clone(),
                calibration: Figure::new(e.scores.calibration),
                information: Figure::new(e.scores.information_seeds),
                combined: Figure::new(e.scores.combined()),
                weight: Figure::new(e.weight),
            })
            .collect(),
        alpha: m.dm.alpha.map_or(Figure::undefined(Undefined::NoVariation), Figure::new),
        performance_dm: dm(&m.dm),
        equal_dm: dm(&m.equal_dm),
        quantiles: asked.percents().collect(),
        targets: out,
    };
    (model, m.warnings.clone())
}

fn synthesis(
    table: &AnswerTable,
    spec: &SynthesisSpec,
    rounds: &[u32],
    items: &[ItemRound],
    index: &HashMap<(u32, u32), usize>,
) -> Vec<DomainSynthesis> {
    let domains: BTreeSet<&str> = table.items.iter().filter_map(|i| i.domain.as_deref()).collect();
    let find = |domain: &str, criterion: &str| -> Option<u32> {
        table
            .items
            .iter()
            .position(|i| {
                i.domain.as_deref() == Some(domain)
                    && i.criterion.as_deref() == Some(criterion)
                    && matches!(i.kind, ItemKind::Ordinal { .. })
            })
            .map(u32_of)
    };
    let mut out = Vec::new();
    for d in domains {
        let Some(b) = find(d, &spec.benefit) else {
            continue;
        };
        let risks: Vec<(u32, &str)> = spec.risks.iter().filter_map(|c| find(d, c).map(|i| (i, c.as_str()))).collect();
        for &r in rounds {
            let figure = |ii: u32, criterion: &str| -> CriterionFigure {
                let ItemKind::Ordinal { scale, .. } = table.items[ii as usize].kind else { unreachable!() };
                let (median, consensus) = match index.get(&(ii, r)).map(|&k| &items[k].result) {
                    Some(ItemResult::Ordinal(s)) => (s.median, s.consensus.outcome),
                    _ => (Figure::undefined(Undefined::NoAnswers), crate::item::Outcome::Undefined),
                };
                CriterionFigure {
                    criterion: criterion.to_owned(),
                    item: table.items[ii as usize].id.as_str().to_owned(),
                    median,
                    normalised: median.map(|m| (m - f64::from(scale.min())) / f64::from(scale.max() - scale.min())),
                    consensus,
                }
            };
            let norm = |ii: u32, x: i32| -> f64 {
                let ItemKind::Ordinal { scale, .. } = table.items[ii as usize].kind else { unreachable!() };
                f64::from(x - scale.min()) / f64::from(scale.max() - scale.min())
            };
            // Each expert's own placement.
            let risk_rows: Vec<&[Row]> = risks.iter().map(|&(ii, _)| table.bucket(ii, r)).collect();
            let mut placements = Vec::new();
            if !risks.is_empty() {
                'experts: for row in table.bucket(b, r) {
                    let Stored::Ordinal(bx) = row.value else {
                        continue;
                    };
                    let mut worst = f64::NEG_INFINITY;
                    for (k, rows) in risk_rows.iter().enumerate() {
                        match rows.binary_search_by_key(&row.expert, |x| x.expert) {
                            Ok(j) => match rows[j].value {
                                Stored::Ordinal(rx) => worst = worst.max(norm(risks[k].0, rx)),
                                _ => continue 'experts,
                            },
                            Err(_) => continue 'experts,
                        }
                    }
                    placements.push(Placement::of(norm(b, bx), worst));
                }
            }
            out.push(synthesise(
                d.to_owned(),
                r,
                figure(b, &spec.benefit),
                risks.iter().map(|&(ii, c)| figure(ii, c)).collect(),
                &placements,
            ));
        }
    }
    out
}
