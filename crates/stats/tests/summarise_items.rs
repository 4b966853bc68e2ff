//! `summarise_items`: the per-item figures alone, for a coordinator's dashboard refreshed
//! while a round is open, must be exactly the items of the full summary — every item kind,
//! every round, in the same order — and refuse what `summarise` refuses.

mod common;

use delphi_stats::summarise::ItemResult;
use delphi_stats::*;

#[test]
fn the_per_item_figures_are_the_full_summarys_items() {
    let table = AnswerTable::from_rows(common::items(), common::rows()).unwrap();
    let config = common::config();
    let items = summarise_items(&table, &config).unwrap();
    let whole = summarise(&table, &config).unwrap();
    assert_eq!(items, whole.items);
    let kinds: std::collections::BTreeSet<&str> = items.iter().map(|i| i.result.kind()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["numeric", "ordinal", "quantile", "ranking"]);
    // The fixture's panel: eleven experts answered 2 on this item in round 1, one did not know.
    let first = items.iter().find(|i| i.item.as_str() == "verification-information" && i.round == 1).unwrap();
    let ItemResult::Ordinal(o) = &first.result else { panic!("not ordinal: {first:?}") };
    assert_eq!((o.n, o.dont_know, o.median.value()), (11, 1, Some(2.0)));
}

#[test]
fn a_bad_rule_is_refused_as_by_summarise() {
    let table = AnswerTable::from_rows(common::items(), common::rows()).unwrap();
    let mut config = common::config();
    config.rule.iqr_max = -1.0;
    let err = summarise_items(&table, &config).unwrap_err();
    assert!(err.to_string().contains("iqr_max -1 must be a finite number ≥ 0"), "{err}");
}
