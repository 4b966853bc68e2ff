//! delphi-stats: the statistics engine of a Delphi study.
//!
//! A long table of pseudonymous answers goes in ([`AnswerTable`]); plain, serialisable
//! result structs come out: per item and round (median, quartiles with the study's
//! Hyndman–Fan type, IQR, agreement, CV, Tastle–Wierman, van der Eijk, Leik, rwg,
//! RAND/UCLA, polarisation, the consensus verdict with its reason), across rounds
//! (Wilcoxon, McNemar, change of CV and IQR, stability, attrition), across groups
//! (Mann–Whitney / Kruskal–Wallis, cross-group consensus, small groups suppressed; Wilcoxon
//! and Mann–Whitney exact on small samples, ties included, and each p-value names its method),
//! rankings (Kendall's W, ties corrected), reliability (Krippendorff's alpha per scale and
//! criterion), quantile items (linear pool, Cooke's classical model) and the
//! benefit–risk synthesis per domain. [`classical`] runs Cooke's model on whole EXCALIBUR cases
//! (any quantiles, log scales, blank seeds, robustness tables), read by [`excalibur`].
//!
//! The crate is pure: values in, values out. Undefined figures are never NaN: they are
//! [`Figure`]s carrying an [`Undefined`] reason. statrs supplies distribution functions
//! only; quantiles are computed here (statrs' own quantile is type 8, not used).
//!
//! ```
//! use delphi_stats::*;
//!
//! let scale = OrdinalScale::new(1, 5)?;
//! let item = ItemSpec::new(ItemId::new("q1")?, ItemKind::Ordinal { scale, agree: AgreeSet::new(scale, 4, 5)? });
//! let rows = [4, 5, 4, 4, 2].iter().enumerate().map(|(e, &x)| AnswerRow {
//!     round: 1,
//!     item: ItemId::new("q1").unwrap(),
//!     expert: Pseudonym::new(format!("E{e}")).unwrap(),
//!     groups: Groups::new().with("bloc", "A"),
//!     answer: Answer::Ordinal(x),
//! });
//! let table = AnswerTable::from_rows(vec![item], rows)?;
//! let summary = summarise(&table, &StatsConfig::default())?;
//! let summarise::ItemResult::Ordinal(q1) = &summary.items[0].result else { unreachable!() };
//! assert_eq!(q1.median.value(), Some(4.0));
//! assert_eq!(q1.consensus.reason, "IQR 0.00 ≤ 1 and 80.0 % in 4–5 ≥ 70 %");
//! # Ok::<(), StatsError>(())
//! ```

#![warn(missing_docs)]

pub mod anduryl;
pub mod classical;
pub mod cooke;
mod error;
pub mod excalibur;
mod figure;
pub mod input;
pub mod item;
pub mod kendall;
pub mod krippendorff;
pub mod ordinal;
pub mod quantile;
pub mod ranktests;

pub use delphi_core::study::QuantileLevels;
pub use error::StatsError;
pub use figure::{Figure, Undefined};
pub use input::{
    AgreeSet, Answer, AnswerRow, AnswerTable, AnswerTableBuilder, ExpertRef, Finite, Groups, ItemId, ItemKind, ItemRef,
    ItemSpec, OrdinalScale, Pseudonym, Quantiles, Ranking,
};
pub mod groups;
pub mod stability;
pub mod study;
pub mod summarise;
pub mod synthesis;

pub use summarise::{StatsConfig, StudySummary, SynthesisSpec, summarise, summarise_items};
#[cfg(feature = "frame")]
pub mod frame;
pub mod synthetic;
