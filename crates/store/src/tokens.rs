//! Personal access tokens: 160 random bits, shown once when issued and stored only as a
//! SHA-256 hash. An expert may hold several live tokens for a round (one per message that
//! carried a link); issuing a replacing token revokes the others.

use std::fmt;

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use subtle::ConstantTimeEq;

use crate::rounds::require_open;
use crate::{Actor, Refusal, Store, StoreError, audit, require_study, secret, study_id_at, timestamp};

/// Bytes of randomness in a token (160 bits; the design asks for at least 128).
const TOKEN_BYTES: usize = 20;

/// A token in the clear. It exists only between issuing and sending; `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// The token text, to put in the expert's personal link or reply address.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(…)")
    }
}

/// Why a token was issued; a replacing one revokes the expert's other tokens of the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// A link handed out by `delphi round links`: replaces every earlier token of the round.
    Link,
    /// The reply address and link of an invitation: kept alongside earlier tokens.
    Invitation,
    /// The reply address and link of a reminder: kept alongside earlier tokens.
    Reminder,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Link => "link",
            Self::Invitation => "invitation",
            Self::Reminder => "reminder",
        }
    }

    fn replaces_earlier(self) -> bool {
        self == Self::Link
    }
}

/// What a valid token lets its holder do: answer `round` of `study_id` as one expert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// The study.
    pub study_id: StudyId,
    /// The round it answers.
    pub round: u32,
    /// The coordinator's id of the expert.
    pub expert_id: String,
    /// The expert's pseudonym, by which the audit log and analyses name them.
    pub pseudonym: String,
    /// The expert's questionnaire language.
    pub language: String,
}

const RESOLVE_TOKEN: &str = "SELECT t.token_sha256, t.study_id, t.round, t.expert_id, e.pseudonym, e.language
     FROM access_tokens t JOIN experts e ON e.study_id = t.study_id AND e.id = t.expert_id
     WHERE t.token_sha256 = ?1 AND t.revoked_at IS NULL AND e.active = 1";

/// What the store keeps of a presented token: its SHA-256. A server may hold these (to
/// recognise a token it has seen) without holding any token; `Debug` hides the bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// The hash of a token as presented in a link or a reply (surrounding space ignored).
    pub fn of(presented: &str) -> Self {
        Self(secret::sha256(presented.trim().as_bytes()))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(…)")
    }
}

/// Whether `token` is, right now, a live token of `expert_id` for `round` of `study_id`
/// (not revoked by a replacing link). Run inside a submission's transaction, it makes the
/// token's validity part of what is committed.
pub(crate) fn token_is_current(
    conn: &rusqlite::Connection,
    token: &TokenHash,
    study_id: &StudyId,
    round: u32,
    expert_id: &str,
) -> Result<bool, StoreError> {
    let stored: Option<Vec<u8>> = conn
        .prepare_cached(
            "SELECT token_sha256 FROM access_tokens
             WHERE token_sha256 = ?4 AND study_id = ?1 AND round = ?2 AND expert_id = ?3 AND revoked_at IS NULL",
        )?
        .query_row(params![study_id.as_str(), round, expert_id, token.as_bytes()], |r| r.get(0))
        .optional()?;
    Ok(stored.is_some_and(|stored| bool::from(stored.as_slice().ct_eq(token.as_bytes()))))
}

impl Store {
    /// Issues a fresh token for an expert in the open round, replacing any earlier one.
    pub fn issue_token(
        &mut self,
        study_id: &StudyId,
        round: u32,
        expert_id: &str,
        at: DateTime<Utc>,
    ) -> Result<AccessToken, StoreError> {
        self.issue_token_for(study_id, round, expert_id, TokenPurpose::Link, at)
    }

    /// Issues a fresh token for an expert in the open round. A [`TokenPurpose::Link`]
    /// revokes the expert's earlier tokens of the round; the others keep them valid, so the
    /// link of an invitation still works after a reminder brought a new one.
    pub fn issue_token_for(
        &mut self,
        study_id: &StudyId,
        round: u32,
        expert_id: &str,
        purpose: TokenPurpose,
        at: DateTime<Utc>,
    ) -> Result<AccessToken, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let token = issue_in(&tx, study_id, round, expert_id, purpose, at)?;
        tx.commit()?;
        Ok(token)
    }

    /// Finds what a presented token grants. Unknown tokens give `None`; the hash is
    /// compared in constant time, and the lookup costs the same for any token.
    pub fn resolve_token(&self, presented: &str) -> Result<Option<TokenGrant>, StoreError> {
        let hash = secret::sha256(presented.trim().as_bytes());
        let found = self
            .conn
            .prepare_cached(RESOLVE_TOKEN)?
            .query_row([hash.as_slice()], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    TokenGrant {
                        study_id: study_id_at(r, 1)?,
                        round: r.get(2)?,
                        expert_id: r.get(3)?,
                        pseudonym: r.get(4)?,
                        language: r.get(5)?,
                    },
                ))
            })
            .optional()?;
        Ok(found.and_then(|(stored, grant)| bool::from(stored.as_slice().ct_eq(hash.as_slice())).then_some(grant)))
    }
}

/// Issues a token inside the caller's transaction (see [`Store::issue_token_for`]).
pub(crate) fn issue_in(
    tx: &Connection,
    study_id: &StudyId,
    round: u32,
    expert_id: &str,
    purpose: TokenPurpose,
    at: DateTime<Utc>,
) -> Result<AccessToken, StoreError> {
    require_study(tx, study_id)?;
    require_open(tx, study_id, round)?;
    let pseudonym: String = tx
        .query_row(
            "SELECT e.pseudonym FROM experts e JOIN round_panel p ON p.study_id = e.study_id AND p.expert_id = e.id
                 WHERE e.study_id = ?1 AND e.id = ?2 AND p.round = ?3 AND e.active = 1",
            params![study_id.as_str(), expert_id, round],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Refusal::UnknownExpert(expert_id.to_owned()))?;
    if purpose.replaces_earlier() {
        tx.execute(
            "UPDATE access_tokens SET revoked_at = ?4
                 WHERE study_id = ?1 AND round = ?2 AND expert_id = ?3 AND revoked_at IS NULL",
            params![study_id.as_str(), round, expert_id, timestamp(at)],
        )?;
    }
    let token = secret::random_base32(TOKEN_BYTES);
    tx.execute(
        "INSERT INTO access_tokens (token_sha256, study_id, round, expert_id, purpose, issued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            secret::sha256(token.as_bytes()).as_slice(),
            study_id.as_str(),
            round,
            expert_id,
            purpose.as_str(),
            timestamp(at)
        ],
    )?;
    audit::record(
        tx,
        at,
        Some(study_id),
        &Actor::System,
        "token.issued",
        &serde_json::json!({ "round": round, "expert": pseudonym, "purpose": purpose.as_str() }),
    )?;
    Ok(AccessToken(token))
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    use crate::Store;

    /// A cached statement runs as prepared, whatever is bound to it: no re-parsing and
    /// re-planning per request (see `schema::configure`).
    #[test]
    fn resolving_tokens_reuses_the_prepared_statement() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        for token in ["a", "b", "c", "d"] {
            assert!(store.resolve_token(token).unwrap().is_none());
        }
        let statement = store.conn.prepare_cached(super::RESOLVE_TOKEN).unwrap();
        assert_eq!(statement.get_status(StatementStatus::RePrepare), 0);
    }
}
