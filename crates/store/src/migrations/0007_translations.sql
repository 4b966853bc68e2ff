-- Schema 7: bilingual panels. The coordinator's translations of a round's rationales (keyed by
-- the rationale's content-derived id, never by its author) and the rationales they feature in
-- the next round's emails. Both are feedback for the next round, which freezes its feedback
-- when it opens: from then on, nothing of the round before changes here.
CREATE TABLE translations (
    study_id     TEXT NOT NULL,
    round        INTEGER NOT NULL,        -- the round whose rationales are translated
    rationale_id TEXT NOT NULL,
    language     TEXT NOT NULL,           -- the language translated into
    text         TEXT NOT NULL CHECK (length(text) > 0),
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (study_id, round, rationale_id, language),
    FOREIGN KEY (study_id, round) REFERENCES rounds(study_id, number)
) STRICT;

CREATE TABLE featured_rationales (
    study_id     TEXT NOT NULL,
    round        INTEGER NOT NULL,
    rationale_id TEXT NOT NULL,
    PRIMARY KEY (study_id, round, rationale_id),
    FOREIGN KEY (study_id, round) REFERENCES rounds(study_id, number)
) STRICT;

-- The backstop to the check in Rust: once the next round opened, its feedback is frozen.
CREATE TRIGGER translations_frozen_insert BEFORE INSERT ON translations
WHEN EXISTS (SELECT 1 FROM rounds WHERE study_id = NEW.study_id AND number = NEW.round + 1 AND state <> 'draft')
BEGIN SELECT RAISE(ABORT, 'the next round is open; its feedback is frozen'); END;
CREATE TRIGGER translations_frozen_update BEFORE UPDATE ON translations
WHEN EXISTS (SELECT 1 FROM rounds WHERE study_id = OLD.study_id AND number = OLD.round + 1 AND state <> 'draft')
BEGIN SELECT RAISE(ABORT, 'the next round is open; its feedback is frozen'); END;
CREATE TRIGGER translations_frozen_delete BEFORE DELETE ON translations
WHEN EXISTS (SELECT 1 FROM rounds WHERE study_id = OLD.study_id AND number = OLD.round + 1 AND state <> 'draft')
BEGIN SELECT RAISE(ABORT, 'the next round is open; its feedback is frozen'); END;
CREATE TRIGGER featured_frozen_insert BEFORE INSERT ON featured_rationales
WHEN EXISTS (SELECT 1 FROM rounds WHERE study_id = NEW.study_id AND number = NEW.round + 1 AND state <> 'draft')
BEGIN SELECT RAISE(ABORT, 'the next round is open; its feedback is frozen'); END;
CREATE TRIGGER featured_frozen_delete BEFORE DELETE ON featured_rationales
WHEN EXISTS (SELECT 1 FROM rounds WHERE study_id = OLD.study_id AND number = OLD.round + 1 AND state <> 'draft')
BEGIN SELECT RAISE(ABORT, 'the next round is open; its feedback is frozen'); END;
