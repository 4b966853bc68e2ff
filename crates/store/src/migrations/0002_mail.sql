-- delphi store, schema 2: the email channel.

-- An expert may hold several live tokens for a round: one per message that carried a link
-- or a reply address (the invitation, each reminder). `delphi round links` still replaces
-- them all (it revokes the earlier ones). Tokens are still stored only as SHA-256 hashes.
CREATE TABLE access_tokens (
    token_sha256 BLOB PRIMARY KEY,
    study_id     TEXT NOT NULL,
    round        INTEGER NOT NULL,
    expert_id    TEXT NOT NULL,
    purpose      TEXT NOT NULL CHECK (purpose IN ('link', 'invitation', 'reminder')),
    issued_at    TEXT NOT NULL,
    revoked_at   TEXT,
    FOREIGN KEY (study_id, round) REFERENCES rounds(study_id, number),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;

CREATE INDEX access_tokens_by_expert ON access_tokens (study_id, round, expert_id);

INSERT INTO access_tokens (token_sha256, study_id, round, expert_id, purpose, issued_at)
SELECT token_sha256, study_id, round, expert_id, 'link', issued_at FROM tokens;

DROP TABLE tokens;

-- Every message the tool sends, reserved before it is handed to SMTP (or the outbox) and
-- marked sent after: re-running `delphi invite` or `delphi remind` skips what was sent.
-- `occasion` tells messages of one kind apart: '' for the invitation, the reminder's
-- number, or the Message-ID of the reply a receipt answers.
CREATE TABLE outgoing_mail (
    id         INTEGER PRIMARY KEY,
    study_id   TEXT NOT NULL REFERENCES studies(id),
    round      INTEGER NOT NULL,
    expert_id  TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'receipt')),
    occasion   TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    reserved_at TEXT NOT NULL,
    sent_at    TEXT,
    transport  TEXT CHECK (transport IN ('smtp', 'outbox')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (study_id, round, expert_id, kind, occasion),
    CHECK ((sent_at IS NULL) = (transport IS NULL)),
    FOREIGN KEY (study_id, round) REFERENCES rounds(study_id, number),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;

CREATE TRIGGER outgoing_mail_sent_is_final BEFORE UPDATE ON outgoing_mail WHEN OLD.sent_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sent message is never changed'); END;

-- Every message `delphi ingest` has dealt with, written in the same transaction as the
-- answers it carried: a message is processed exactly once.
CREATE TABLE inbound_mail (
    study_id      TEXT NOT NULL REFERENCES studies(id),
    message_key   TEXT NOT NULL,          -- the Message-ID, or a hash of the raw message without one
    outcome       TEXT NOT NULL,          -- recorded, invalid, auto-reply, bounce, spoofed, unknown-token, ...
    expert_id     TEXT,
    round         INTEGER,
    submission_id INTEGER REFERENCES submissions(id),
    detail        TEXT NOT NULL,          -- JSON: what was recorded or why not (never the sender's address)
    processed_at  TEXT NOT NULL,
    PRIMARY KEY (study_id, message_key),
    CHECK ((outcome = 'recorded') = (submission_id IS NOT NULL)),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;

CREATE TRIGGER inbound_mail_is_kept BEFORE UPDATE ON inbound_mail
BEGIN SELECT RAISE(ABORT, 'a processed message stays processed'); END;

CREATE TRIGGER inbound_mail_is_never_deleted BEFORE DELETE ON inbound_mail
BEGIN SELECT RAISE(ABORT, 'a processed message stays processed'); END;
