//! The study fields of issue 15: `scale = "log"` on quantities (items of kind `quantile` and
//! seeds), and `ties = true` on rankings; each checked where a coordinator would write it.

use delphi_core::Study;
use delphi_core::study::{QuantityScale, ResponseKind};

const SHIPPED: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");

fn parse(source: &str) -> Result<Study, Vec<(String, String)>> {
    Study::from_toml(source, "study.toml")
        .map_err(|problems| problems.iter().map(|p| (p.field.clone(), p.to_string())).collect())
}

/// The shipped study with `line` inserted after the line `after` (exact text).
fn with(after: &str, line: &str) -> String {
    assert!(SHIPPED.contains(after), "{after}");
    SHIPPED.replacen(after, &format!("{after}\n{line}"), 1)
}

#[test]
fn quantities_are_uniform_unless_a_log_scale_is_asked_for() {
    let study = parse(SHIPPED).unwrap();
    assert!(study.seeds.iter().all(|s| s.scale == QuantityScale::Uniform));
    let source = with("realisation = 28.0", "scale = \"log\"").replacen("min = 0\nmax = 200", "min = 1\nmax = 200", 1);
    let study = parse(&source).unwrap();
    let seed = study.seeds.iter().find(|s| s.id.as_str() == "seed-bletchley-countries").unwrap();
    assert_eq!(seed.scale, QuantityScale::Log);
    // The question experts see carries it too (the statistics read it from there).
    let q = study.questions().into_iter().find(|q| q.id.as_str() == "seed-bletchley-countries").unwrap();
    assert!(matches!(q.response, ResponseKind::Quantile { scale: QuantityScale::Log, .. }));
    // And an item of kind `quantile`.
    let source = with("id = \"years-to-first-agreement\"", "scale = \"log\"").replacen(
        "min = 0\nmax = 50",
        "min = 0.1\nmax = 50",
        1,
    );
    let study = parse(&source).unwrap();
    let item = study.items.iter().find(|i| i.id.as_str() == "years-to-first-agreement").unwrap();
    assert!(matches!(item.response, ResponseKind::Quantile { scale: QuantityScale::Log, .. }));
}

#[test]
fn a_log_scale_needs_a_positive_min_and_a_known_name() {
    // min = 0: log 0 does not exist.
    let problems = parse(&with("realisation = 28.0", "scale = \"log\"")).unwrap_err();
    assert!(problems.iter().any(|(f, m)| f == "seeds[0].scale" && m.contains("positive `min`")), "{problems:?}");
    let problems = parse(&with("realisation = 28.0", "scale = \"logarithmic\"")).unwrap_err();
    assert!(problems.iter().any(|(f, m)| f == "seeds[0].scale" && m.contains("`logarithmic`")), "{problems:?}");
    // `scale` on a probability item is refused as before.
    let problems = parse(&with("id = \"p-joint-evaluation-2030\"", "scale = \"log\"")).unwrap_err();
    assert!(problems.iter().any(|(_, m)| m.contains("only applies to ordinal and quantile")), "{problems:?}");
}

#[test]
fn rankings_are_strict_unless_ties_are_allowed() {
    let ranking = |s: &Study| s.items.iter().find(|i| i.id.as_str() == "area-ranking").unwrap().response.clone();
    assert_eq!(ranking(&parse(SHIPPED).unwrap()), ResponseKind::RankingOfDomains { ties: false });
    let study = parse(&with("of = \"domains\"", "ties = true")).unwrap();
    assert_eq!(ranking(&study), ResponseKind::RankingOfDomains { ties: true });
    // Only rankings can have ties.
    let problems = parse(&with("id = \"p-joint-evaluation-2030\"", "ties = true")).unwrap_err();
    assert!(
        problems.iter().any(|(f, m)| f.ends_with(".ties") && m.contains("only applies to ranking")),
        "{problems:?}"
    );
    // A string is not a yes/no.
    assert!(parse(&with("of = \"domains\"", "ties = \"yes\"")).is_err());
}
