//! What can go wrong: refusals (the request breaks a rule of the study's lifecycle;
//! nothing was changed) and failures of the store itself.

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request was refused by a rule; the store is unchanged.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "this store has schema version {found}, newer than this build of delphi understands ({known}); upgrade delphi"
    )]
    TooNew { found: u32, known: u32 },
    #[error("the store holds data it cannot read: {0}")]
    Corrupt(String),
}

/// A request that breaks a rule. Each message says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("study `{0}` is not in this store; run `delphi panel import` (or any command with --study) first")]
    UnknownStudy(StudyId),
    #[error("the panel is empty; import it with `delphi panel import PANEL.csv` before opening a round")]
    EmptyPanel,
    #[error("round {open} is still open; close it with `delphi round close {open}` before opening round {requested}")]
    PreviousRoundOpen { open: u32, requested: u32 },
    #[error("round {requested} cannot be opened: the next round of this study is round {next}")]
    OutOfOrder { requested: u32, next: u32 },
    #[error("the study allows at most {max} rounds (study.max_rounds); round {requested} cannot be opened")]
    TooManyRounds { requested: u32, max: u32 },
    #[error("round {0} does not exist")]
    NoSuchRound(u32),
    #[error("round {0} is closed; nothing of a closed round changes")]
    RoundClosed(u32),
    #[error("round {0} is not open")]
    RoundNotOpen(u32),
    #[error("round {0} is already open")]
    AlreadyOpen(u32),
    #[error("the deadline {deadline} is not in the future")]
    DeadlineNotInFuture { deadline: DateTime<Utc> },
    #[error("the deadline of round {round} passed at {deadline}; answers are no longer accepted")]
    DeadlinePassed { round: u32, deadline: DateTime<Utc> },
    #[error("expert `{0}` is not an active member of the panel")]
    UnknownExpert(String),
    #[error("a submission has no answers")]
    EmptySubmission,
    #[error("item `{0}` is answered more than once in one submission")]
    RepeatedItem(String),
    #[error(
        "round {next} was opened and froze its feedback, so translations of round {round}'s rationales can no longer \
         reach its experts (nothing was imported); import translations after `delphi round close {round}` and before \
         `delphi round open` of round {next}"
    )]
    FeedbackFrozen { round: u32, next: u32 },
    #[error("this link is no longer valid (the coordinator issued you a new one); use your newest link")]
    TokenNotCurrent,
}

impl StoreError {
    /// The refusal, when the request broke a rule rather than the store failing.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Self::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }
}
