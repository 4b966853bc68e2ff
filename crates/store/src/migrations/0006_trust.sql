-- Schema 6: what an expert can trust. Their time zone (the panel's optional `time_zone`
-- column), their consent to the privacy statement (once: when they first answer), and
-- their withdrawal (final: a withdrawn expert is inactive and never re-activated by an
-- import, and the study file's rule decides whether their answers keep counting).
ALTER TABLE experts ADD COLUMN time_zone TEXT;

CREATE TABLE consents (
    study_id  TEXT NOT NULL,
    expert_id TEXT NOT NULL,
    given_at  TEXT NOT NULL,
    channel   TEXT NOT NULL,          -- how they first answered: web, email, api, cli
    PRIMARY KEY (study_id, expert_id),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;

CREATE TRIGGER consents_are_kept BEFORE UPDATE ON consents
BEGIN SELECT RAISE(ABORT, 'a consent is recorded once and kept'); END;
CREATE TRIGGER consents_are_never_deleted BEFORE DELETE ON consents
BEGIN SELECT RAISE(ABORT, 'a consent is recorded once and kept'); END;

CREATE TABLE withdrawals (
    study_id      TEXT NOT NULL,
    expert_id     TEXT NOT NULL,
    withdrawn_at  TEXT NOT NULL,
    withdrawn_by  TEXT NOT NULL CHECK (withdrawn_by IN ('expert', 'coordinator')),
    answers       TEXT NOT NULL CHECK (answers IN ('keep-answers', 'remove-answers')),
    -- The last round closed when they withdrew (0: none). A closed round never changes, so
    -- with 'remove-answers' only their answers to later rounds stop counting.
    closed_through INTEGER NOT NULL CHECK (closed_through >= 0),
    PRIMARY KEY (study_id, expert_id),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;

CREATE TRIGGER withdrawals_are_final BEFORE UPDATE ON withdrawals
BEGIN SELECT RAISE(ABORT, 'a withdrawal is final'); END;
CREATE TRIGGER withdrawals_are_never_deleted BEFORE DELETE ON withdrawals
BEGIN SELECT RAISE(ABORT, 'a withdrawal is final'); END;
CREATE TRIGGER withdrawn_experts_stay_inactive BEFORE UPDATE OF active ON experts
WHEN NEW.active = 1 AND EXISTS (SELECT 1 FROM withdrawals w WHERE w.study_id = NEW.study_id AND w.expert_id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the expert has withdrawn'); END;

-- As in schema 3, less the answers a withdrawal with 'remove-answers' took out of rounds
-- that were not closed yet. The answers themselves stay (append-only); they stop counting.
DROP VIEW current_answers;
CREATE VIEW current_answers AS
SELECT study_id, round, expert_id, item_id, value, rationale, submission_id, received_at, revision
FROM (
    SELECT s.study_id, s.round, s.expert_id, a.item_id, a.value, a.rationale,
           s.id AS submission_id, s.received_at,
           ROW_NUMBER() OVER (PARTITION BY s.study_id, s.round, s.expert_id, a.item_id ORDER BY s.id) AS revision,
           ROW_NUMBER() OVER (PARTITION BY s.study_id, s.round, s.expert_id, a.item_id ORDER BY s.id DESC) AS newest
    FROM answers a JOIN submissions s ON s.id = a.submission_id
) c
WHERE newest = 1
  AND NOT EXISTS (SELECT 1 FROM withdrawals w
                  WHERE w.study_id = c.study_id AND w.expert_id = c.expert_id
                    AND w.answers = 'remove-answers' AND c.round > w.closed_through);
