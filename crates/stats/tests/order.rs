//! Property: the summary does not depend on the order of the input rows (nor on the order in
//! which experts first appear).

mod common;

use delphi_core::rng::Rng;
use delphi_stats::*;
use proptest::prelude::*;

fn study(answers: &[(u8, u8, u8, i8)]) -> Vec<AnswerRow> {
    // (round 1..=3, expert 0..15, item 0..4, value) → one row per (round, item, expert)
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for &(r, e, i, v) in answers {
        let (r, e, i) = (u32::from(r % 3) + 1, usize::from(e % 16), i % 5);
        if !seen.insert((r, e, i)) {
            continue;
        }
        let (item, answer) = match i {
            0 => (
                "verification-benefit",
                if v % 9 == 0 { Answer::DontKnow } else { Answer::Ordinal(1 + i32::from(v).rem_euclid(7)) },
            ),
            1 => ("verification-capabilities", Answer::Ordinal(1 + i32::from(v).rem_euclid(7))),
            2 => ("budget", Answer::Number(Finite::new(f64::from(v) * 0.37).unwrap())),
            3 => {
                let o = ["a", "b", "c"];
                let k = usize::from(v.unsigned_abs()) % 3;
                ("priority", Answer::Ranking(Ranking::from_order([o[k], o[(k + 1) % 3], o[(k + 2) % 3]]).unwrap()))
            }
            _ => {
                let x = f64::from(v);
                ("seed1", Answer::Quantiles(Quantiles::new(x, x + 1.5, x + 4.0).unwrap()))
            }
        };
        rows.push(common::row(r, item, e, answer));
    }
    rows
}

fn json_of(rows: Vec<AnswerRow>) -> String {
    let t = AnswerTable::from_rows(common::items(), rows).unwrap();
    serde_json::to_string(&summarise(&t, &common::config()).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn summary_is_independent_of_row_order(answers in prop::collection::vec(any::<(u8, u8, u8, i8)>(), 0..200), seed in any::<u64>()) {
        let rows = study(&answers);
        let mut shuffled = rows.clone();
        let mut rng = Rng::new(seed);
        rng.shuffle(&mut shuffled);
        let mut reversed = rows.clone();
        reversed.reverse();
        let a = json_of(rows);
        prop_assert_eq!(&a, &json_of(shuffled));
        prop_assert_eq!(&a, &json_of(reversed));
    }
}
