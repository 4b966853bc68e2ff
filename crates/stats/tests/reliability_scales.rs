//! Krippendorff's alpha per scale and per criterion, against the `krippendorff` Python
//! package (`scripts/krippendorff-per-scale.py`, whose output is pinned below).
//!
//! The issue: pooling 5- and 7-point items into one alpha per round treated a 4 on one scale
//! as a 4 on the other and hid weak items. On this panel the pooled interval alpha is 0.690
//! while the 5-point items alone give −0.141.

mod common;

use common::{id, scale};
use delphi_stats::krippendorff::Alphas;
use delphi_stats::summarise::RoundReliability;
use delphi_stats::*;

/// Items × experts; `None` = no answer (the same panel as the Python script).
const PANEL: [(&str, [Option<i32>; 6]); 6] = [
    ("b1", [Some(1), Some(4), Some(2), Some(5), Some(3), None]),
    ("b2", [Some(2), Some(2), Some(5), Some(1), Some(4), Some(3)]),
    ("b3", [Some(5), Some(3), Some(3), Some(2), Some(1), Some(4)]),
    ("r1", [Some(7), Some(7), Some(6), Some(7), Some(6), Some(7)]),
    ("r2", [Some(1), Some(2), Some(1), Some(1), Some(2), Some(1)]),
    ("r3", [Some(4), Some(4), Some(5), Some(4), Some(4), None]),
];

/// `python3 scripts/krippendorff-per-scale.py` (krippendorff 0.8, numpy 2.4): nominal,
/// ordinal, interval, ratio.
const FIVE: [f64; 4] =
    [-0.126_956_521_739_130_63, -0.139_915_966_386_554_8, -0.140_684_410_646_387_81, -0.139_860_371_063_398_33];
const SEVEN: [f64; 4] =
    [0.420_689_655_172_413_75, 0.915_846_338_535_414_2, 0.955_555_555_555_555_6, 0.885_818_019_714_948_6];

fn reliability(items: &[&str]) -> RoundReliability {
    let specs = items
        .iter()
        .map(|&i| {
            let (kind, criterion) =
                if i.starts_with('b') { (scale(1, 5, 4, 5), "benefit") } else { (scale(1, 7, 5, 7), "risk") };
            ItemSpec::new(id(i), kind).in_domain("d", criterion)
        })
        .collect();
    let rows = PANEL.iter().filter(|(i, _)| items.contains(i)).flat_map(|(item, answers)| {
        answers.iter().enumerate().filter_map(move |(e, a)| {
            a.map(|x| AnswerRow {
                round: 1,
                item: id(item),
                expert: Pseudonym::new(format!("E{e}")).unwrap(),
                groups: Groups::new(),
                answer: Answer::Ordinal(x),
            })
        })
    });
    let table = AnswerTable::from_rows(specs, rows).unwrap();
    let summary = summarise(&table, &StatsConfig::default()).unwrap();
    assert_eq!(summary.reliability.len(), 1);
    summary.reliability[0].clone()
}

fn assert_alphas(what: &str, got: &Alphas, want: [f64; 4]) {
    let got = [got.nominal, got.ordinal, got.interval, got.ratio];
    for (level, (g, w)) in ["nominal", "ordinal", "interval", "ratio"].iter().zip(got.iter().zip(want)) {
        let g = g.value().unwrap_or_else(|| panic!("{what} {level}: undefined ({g})"));
        assert!((g - w).abs() < 1e-12, "{what} {level}: delphi {g}, krippendorff {w}");
    }
}

#[test]
fn mixed_scales_get_one_alpha_per_scale_and_no_pooled_figure() {
    let r = reliability(&["b1", "b2", "b3", "r1", "r2", "r3"]);
    assert_eq!(r.by_scale.len(), 2);
    assert_eq!((r.by_scale[0].min, r.by_scale[0].max), (1, 5));
    assert_alphas("1–5 items", &r.by_scale[0].alpha, FIVE);
    assert_eq!((r.by_scale[1].min, r.by_scale[1].max), (1, 7));
    assert_alphas("1–7 items", &r.by_scale[1].alpha, SEVEN);
    // The pooled figure (interval 0.690 in the Python script) is not reported.
    for f in [r.alpha.nominal, r.alpha.ordinal, r.alpha.interval, r.alpha.ratio] {
        assert_eq!(f.reason(), Some(Undefined::MixedScales), "{f}");
    }
    // Per criterion (here each criterion has one scale): the same figures, labelled.
    let names: Vec<_> = r.by_criterion.iter().map(|c| c.criterion.as_deref().unwrap()).collect();
    assert_eq!(names, ["benefit", "risk"]);
    assert_alphas("benefit", &r.by_criterion[0].alpha, FIVE);
    assert_alphas("risk", &r.by_criterion[1].alpha, SEVEN);
}

#[test]
fn one_scale_keeps_the_pooled_figure() {
    let r = reliability(&["r1", "r2", "r3"]);
    assert_alphas("pooled 1–7", &r.alpha, SEVEN);
    assert_eq!(r.by_scale.len(), 1);
    assert_alphas("1–7 items", &r.by_scale[0].alpha, SEVEN);
}
