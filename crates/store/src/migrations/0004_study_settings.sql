-- Schema 4: what a coordinator set once and later commands reuse, per study (for now the
-- web address experts reach, given to `delphi invite`, so that receipts written by a later
-- `delphi ingest` link to the same place).
CREATE TABLE study_settings (
    study_id   TEXT NOT NULL REFERENCES studies(id),
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (study_id, key)
) STRICT;
