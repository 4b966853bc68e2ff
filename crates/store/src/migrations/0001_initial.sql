-- delphi store, schema 1. Migrations are only ever added, never edited
-- (a test pins the hash of every file).

CREATE TABLE studies (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,          -- the study file as last registered
    source_sha256 TEXT NOT NULL,
    registered_at TEXT NOT NULL
) STRICT;

CREATE TABLE experts (
    study_id    TEXT NOT NULL REFERENCES studies(id),
    id          TEXT NOT NULL,            -- the coordinator's handle from the panel CSV
    pseudonym   TEXT NOT NULL UNIQUE,     -- random; the only name analyses and reports see
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    institution TEXT NOT NULL,
    country     TEXT NOT NULL,
    bloc        TEXT NOT NULL,
    language    TEXT NOT NULL,
    expertise   TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (study_id, id)
) STRICT;

CREATE TABLE rounds (
    study_id             TEXT NOT NULL REFERENCES studies(id),
    number               INTEGER NOT NULL CHECK (number >= 1),
    state                TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed')),
    questionnaire        TEXT NOT NULL,   -- JSON; frozen once the round opens
    questionnaire_sha256 TEXT NOT NULL,
    study_sha256         TEXT NOT NULL,   -- the study file the questionnaire was made from
    created_at           TEXT NOT NULL,
    opened_at            TEXT,
    deadline             TEXT,
    closed_at            TEXT,
    invited              INTEGER,         -- active experts when the round opened
    PRIMARY KEY (study_id, number),
    CHECK ((state = 'draft') = (opened_at IS NULL)),
    CHECK ((state = 'draft') = (deadline IS NULL)),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
) STRICT;

-- The lifecycle, enforced by the database as a backstop to the checks in Rust.
CREATE TRIGGER rounds_closed_are_frozen BEFORE UPDATE ON rounds WHEN OLD.state = 'closed'
BEGIN SELECT RAISE(ABORT, 'round is closed; nothing of a closed round changes'); END;

CREATE TRIGGER rounds_questionnaire_frozen_when_open
BEFORE UPDATE OF questionnaire, questionnaire_sha256, study_sha256 ON rounds WHEN OLD.state <> 'draft'
BEGIN SELECT RAISE(ABORT, 'the questionnaire of an opened round is frozen'); END;

CREATE TRIGGER rounds_transitions BEFORE UPDATE OF state ON rounds
WHEN NOT (OLD.state = NEW.state
          OR (OLD.state = 'draft' AND NEW.state = 'open')
          OR (OLD.state = 'open' AND NEW.state = 'closed'))
BEGIN SELECT RAISE(ABORT, 'rounds go draft -> open -> closed only'); END;

CREATE TRIGGER rounds_opened_are_kept BEFORE DELETE ON rounds WHEN OLD.state <> 'draft'
BEGIN SELECT RAISE(ABORT, 'a round that was opened is never deleted'); END;

CREATE TRIGGER rounds_start_as_drafts BEFORE INSERT ON rounds WHEN NEW.state <> 'draft'
BEGIN SELECT RAISE(ABORT, 'a round is created as a draft, then opened'); END;

CREATE TRIGGER rounds_one_open_at_a_time BEFORE UPDATE OF state ON rounds
WHEN NEW.state = 'open' AND OLD.state = 'draft'
     AND EXISTS (SELECT 1 FROM rounds WHERE study_id = NEW.study_id AND state = 'open')
BEGIN SELECT RAISE(ABORT, 'another round is open'); END;

CREATE TABLE tokens (
    study_id     TEXT NOT NULL,
    round        INTEGER NOT NULL,
    expert_id    TEXT NOT NULL,
    token_sha256 BLOB NOT NULL UNIQUE,    -- the token itself is never stored
    issued_at    TEXT NOT NULL,
    PRIMARY KEY (study_id, round, expert_id),
    FOREIGN KEY (study_id, round) REFERENCES rounds(study_id, number),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;

CREATE TABLE submissions (
    id          INTEGER PRIMARY KEY,
    study_id    TEXT NOT NULL,
    round       INTEGER NOT NULL,
    expert_id   TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('web', 'api', 'email', 'cli')),
    source_ref  TEXT,                     -- Message-ID or client request id: stored at most once
    received_at TEXT NOT NULL,
    UNIQUE (study_id, source_ref),
    FOREIGN KEY (study_id, round) REFERENCES rounds(study_id, number),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;

CREATE INDEX submissions_by_round ON submissions (study_id, round, expert_id);

CREATE TRIGGER submissions_need_an_open_round BEFORE INSERT ON submissions
WHEN (SELECT state FROM rounds WHERE study_id = NEW.study_id AND number = NEW.round) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'round is not open'); END;

CREATE TRIGGER submissions_are_kept BEFORE UPDATE ON submissions
BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END;

CREATE TRIGGER submissions_are_never_deleted BEFORE DELETE ON submissions
BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END;

CREATE TABLE answers (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    item_id       TEXT NOT NULL,
    value         TEXT NOT NULL,          -- JSON
    rationale     TEXT,
    PRIMARY KEY (submission_id, item_id)
) STRICT;

CREATE TRIGGER answers_need_an_open_round BEFORE INSERT ON answers
WHEN (SELECT r.state FROM submissions s JOIN rounds r ON r.study_id = s.study_id AND r.number = s.round
      WHERE s.id = NEW.submission_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'round is not open'); END;

CREATE TRIGGER answers_are_kept BEFORE UPDATE ON answers
BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;

CREATE TRIGGER answers_are_never_deleted BEFORE DELETE ON answers
BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;

-- The latest answer of each expert to each item counts; earlier revisions stay in `answers`.
CREATE VIEW current_answers AS
SELECT study_id, round, expert_id, item_id, value, rationale, submission_id, received_at, revision
FROM (
    SELECT s.study_id, s.round, s.expert_id, a.item_id, a.value, a.rationale,
           s.id AS submission_id, s.received_at,
           ROW_NUMBER() OVER (PARTITION BY s.study_id, s.round, s.expert_id, a.item_id ORDER BY s.id) AS revision,
           ROW_NUMBER() OVER (PARTITION BY s.study_id, s.round, s.expert_id, a.item_id ORDER BY s.id DESC) AS newest
    FROM answers a JOIN submissions s ON s.id = a.submission_id
)
WHERE newest = 1;

CREATE TABLE audit_log (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    study_id TEXT,
    actor    TEXT NOT NULL,               -- 'coordinator', 'system' or 'expert:<pseudonym>'
    action   TEXT NOT NULL,               -- e.g. 'round.opened'
    detail   TEXT NOT NULL                -- JSON
) STRICT;

CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER audit_log_is_never_deleted BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Who was asked in each round: the active panel when the round opened, plus experts
-- added while it was open. Response rates and reminders count against this.
CREATE TABLE round_panel (
    study_id  TEXT NOT NULL,
    round     INTEGER NOT NULL,
    expert_id TEXT NOT NULL,
    PRIMARY KEY (study_id, round, expert_id),
    FOREIGN KEY (study_id, round) REFERENCES rounds(study_id, number),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;

CREATE TRIGGER round_panel_fixed_once_closed BEFORE INSERT ON round_panel
WHEN (SELECT state FROM rounds WHERE study_id = NEW.study_id AND number = NEW.round) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'experts join only an open round'); END;
