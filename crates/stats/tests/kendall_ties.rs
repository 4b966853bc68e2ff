//! Kendall's W of tied rankings (`ties = true` in the study), through a study's summary.
//!
//! Four raters rank five domains best first, tiers in brackets sharing a place:
//! R1 a b c d e · R2 [a b] c [d e] · R3 b a [c d e] · R4 a [b c] d e.
//! Worked by hand: rank sums a 5.5, b 7, c 12.5, d 16.5, e 18.5 around m(n+1)/2 = 12, so
//! S = 6.5² + 5² + 0.5² + 4.5² + 6.5² = 130; the tie terms Σ(t³ − t) are 0, 12, 24 and 6, so
//! T = 42; W = 12·130 / (4²·(5³ − 5) − 4·42) = 1560 / 1752 = 0.890411…, 0.8125 without the
//! correction; χ² = m(n − 1)W = 14.2466 on 4 df. `scripts/kendall-ties.py` (scipy's
//! `rankdata` mid-ranks and `chi2.sf`) gives the same and the p-value pinned below.

use delphi_stats::summarise::ItemResult;
use delphi_stats::*;

fn tiers(spec: &str) -> Ranking {
    Ranking::with_ties(spec.split(' ').map(|t| t.chars().map(String::from).collect()).collect()).unwrap()
}

#[test]
fn tied_rankings_get_the_tie_correction() {
    let raters = ["a b c d e", "ab c de", "b a cde", "a bc d e"];
    let rows = raters.iter().enumerate().map(|(e, r)| AnswerRow {
        round: 1,
        item: ItemId::new("area-ranking").unwrap(),
        expert: Pseudonym::new(format!("R{e}")).unwrap(),
        groups: Groups::new(),
        answer: Answer::Ranking(tiers(r)),
    });
    let spec = ItemSpec::new(ItemId::new("area-ranking").unwrap(), ItemKind::Ranking);
    let s = summarise(&AnswerTable::from_rows(vec![spec], rows).unwrap(), &StatsConfig::default()).unwrap();
    let ItemResult::Ranking(r) = &s.items[0].result else { panic!("not a ranking") };
    let k = &r.kendall;
    let close = |what: &str, f: Figure, want: f64| {
        let v = f.value().unwrap_or_else(|| panic!("{what} undefined"));
        assert!((v - want).abs() < 1e-12, "{what}: {v} vs {want}");
    };
    close("W", k.w, 1560.0 / 1752.0);
    close("W uncorrected", k.w_uncorrected, 0.8125);
    close("χ²", k.chi_square, 4.0 * 4.0 * 1560.0 / 1752.0);
    // scipy.stats.chi2.sf(14.246575342465754, 4)
    close("p", k.p_value, 0.006_548_280_955_102_694);
    assert_eq!((k.raters, k.objects, k.df), (4, 5, 4));
    let means: Vec<f64> = k.mean_ranks.iter().map(|(_, m)| m.value().unwrap()).collect();
    assert_eq!(means, [1.375, 1.75, 3.125, 4.125, 4.625]);
}
