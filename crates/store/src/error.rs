//! What can go wrong: refusals (the request breaks a rule of the study's lifecycle;
//! nothing was changed) and failures of the store itself.

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;

/// Why the store did not do what was asked: a refusal, or a failure of the store itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request was refused by a rule; the store is unchanged.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// SQLite failed (I/O, a full disk, a lock held too long, a violated constraint).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A store written by a newer delphi, whose schema this build does not know.
    #[error(
        "this store has schema version {found}, newer than this build of delphi understands ({known}); upgrade delphi"
    )]
    TooNew {
        /// The store's schema version.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// A stored value this build cannot read back (what is wrong with it).
    #[error("the store holds data it cannot read: {0}")]
    Corrupt(String),
}

/// A request that breaks a rule. Each message says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The study is not in this store (its id).
    #[error("study `{0}` is not in this store; run `delphi panel import` (or any command with --study) first")]
    UnknownStudy(StudyId),
    /// A round cannot open without a panel.
    #[error("the panel is empty; import it with `delphi panel import PANEL.csv` before opening a round")]
    EmptyPanel,
    /// Another round is still open.
    #[error("round {open} is still open; close it with `delphi round close {open}` before opening round {requested}")]
    PreviousRoundOpen {
        /// The round still open.
        open: u32,
        /// The round asked to open.
        requested: u32,
    },
    /// Rounds open in order, and this is not the next one.
    #[error("round {requested} cannot be opened: the next round of this study is round {next}")]
    OutOfOrder {
        /// The round asked to open.
        requested: u32,
        /// The study's next round.
        next: u32,
    },
    /// The study's `max_rounds` would be passed.
    #[error("the study allows at most {max} rounds (study.max_rounds); round {requested} cannot be opened")]
    TooManyRounds {
        /// The round asked to open.
        requested: u32,
        /// The study's `max_rounds`.
        max: u32,
    },
    /// The round does not exist (its number).
    #[error("round {0} does not exist")]
    NoSuchRound(u32),
    /// The round is closed, and a closed round never changes (its number).
    #[error("round {0} is closed; nothing of a closed round changes")]
    RoundClosed(u32),
    /// The round is not open (its number).
    #[error("round {0} is not open")]
    RoundNotOpen(u32),
    /// The round is open already (its number).
    #[error("round {0} is already open")]
    AlreadyOpen(u32),
    /// A deadline that has already passed.
    #[error("the deadline {deadline} is not in the future")]
    DeadlineNotInFuture {
        /// The deadline given.
        deadline: DateTime<Utc>,
    },
    /// An answer after the round's deadline.
    #[error("the deadline of round {round} passed at {deadline}; answers are no longer accepted")]
    DeadlinePassed {
        /// The round.
        round: u32,
        /// Its deadline.
        deadline: DateTime<Utc>,
    },
    /// The expert is not an active member of the panel (their id).
    #[error("expert `{0}` is not an active member of the panel")]
    UnknownExpert(String),
    /// A submission without answers.
    #[error("a submission has no answers")]
    EmptySubmission,
    /// A submission answering one item twice (the item).
    #[error("item `{0}` is answered more than once in one submission")]
    RepeatedItem(String),
    /// Translations of a round's rationales after the next round froze its feedback.
    #[error(
        "round {next} was opened and froze its feedback, so translations of round {round}'s rationales can no longer \
         reach its experts (nothing was imported); import translations after `delphi round close {round}` and before \
         `delphi round open` of round {next}"
    )]
    FeedbackFrozen {
        /// The round whose rationales they translate.
        round: u32,
        /// The round that froze them.
        next: u32,
    },
    /// A superseded link: the expert was issued a newer one.
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
