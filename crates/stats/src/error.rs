//! Errors of the statistics engine: all of them are about invalid input.

use thiserror::Error;

/// Why an answer table (or another input) was rejected.
///
/// Undefined statistics are *not* errors: they are [`crate::Figure`]s carrying an
/// [`crate::Undefined`] reason. Errors are reserved for inputs that break the model.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum StatsError {
    /// A pseudonym was empty, too long, or looked like a name or an e-mail address.
    #[error(
        "invalid pseudonym {0:?}: use 1–64 characters from A–Z, a–z, 0–9, '-', '_', '.' (no names, no e-mail addresses)"
    )]
    InvalidPseudonym(String),
    /// An item id was empty or contained whitespace.
    #[error("invalid item id {0:?}: use 1–128 characters without whitespace")]
    InvalidItemId(String),
    /// A scale whose lowest point is not below its highest.
    #[error("invalid scale {min}..={max}: the lowest point must be below the highest")]
    InvalidScale {
        /// The lowest point given.
        min: i32,
        /// The highest point given.
        max: i32,
    },
    /// An agree set outside the scale or empty.
    #[error("agree set {lo}..={hi} is empty or outside the scale {min}..={max}")]
    InvalidAgreeSet {
        /// The agree set's lowest point.
        lo: i32,
        /// Its highest point.
        hi: i32,
        /// The scale's lowest point.
        min: i32,
        /// The scale's highest point.
        max: i32,
    },
    /// A number that is NaN or infinite.
    #[error("{what} must be a finite number, got {value}")]
    NotFinite {
        /// What the number was meant to be.
        what: &'static str,
        /// The number.
        value: f64,
    },
    /// Quantiles that are not strictly increasing.
    #[error("quantiles must be strictly increasing ({levels}), got {values:?}")]
    QuantilesNotIncreasing {
        /// The levels the values are for.
        levels: delphi_core::study::QuantileLevels,
        /// The values, by level.
        values: Vec<f64>,
    },
    /// A ranking with no object, an empty tier, or an object ranked twice.
    #[error("invalid ranking: {0}")]
    InvalidRanking(String),
    /// Two item specifications with the same id.
    #[error("item {0} is specified twice")]
    DuplicateItem(String),
    /// An answer to an item that is not in the specification.
    #[error("unknown item {0}")]
    UnknownItem(String),
    /// An opaque reference that did not come from this builder.
    #[error("reference {0} does not belong to this answer table")]
    ForeignReference(u32),
    /// The same expert given two different sets of group attributes.
    #[error("expert {0} appears with two different group attributes")]
    InconsistentGroups(String),
    /// An answer whose kind does not fit the item (e.g. quantiles for an ordinal item).
    #[error("item {item}: a {got} answer does not fit a {expected} item")]
    WrongAnswerKind {
        /// The item.
        item: String,
        /// The kind of answer the item takes.
        expected: &'static str,
        /// The kind given.
        got: &'static str,
    },
    /// An ordinal answer outside the item's scale.
    #[error("item {item}: answer {value} is outside the scale {min}..={max}")]
    OutOfScale {
        /// The item.
        item: String,
        /// The answer.
        value: i32,
        /// The scale's lowest point.
        min: i32,
        /// The scale's highest point.
        max: i32,
    },
    /// One expert answered the same item twice in one round.
    #[error("expert {expert} answered item {item} twice in round {round}")]
    DuplicateAnswer {
        /// The round.
        round: u32,
        /// The item.
        item: String,
        /// The expert's pseudonym.
        expert: String,
    },
    /// A configuration that cannot be applied (e.g. a negative threshold).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// A line of an EXCALIBUR case file (`.dtt`, `.rls`) that cannot be read.
    #[error("{file} line {line}: {message}")]
    CaseFile {
        /// Which file of the case (`.dtt` or `.rls`).
        file: &'static str,
        /// The line, counted from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Input to a stand-alone function that does not fit its contract.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}
