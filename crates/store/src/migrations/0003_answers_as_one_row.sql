-- delphi store, schema 3: a submission's answers in one row.
--
-- The single writer inserted one B-tree row per answer (30 for a full questionnaire) besides
-- the submission and its audit entry. Now a submission's answers are one JSON array of
-- `[item_id, value, rationale]` entries (the value as JSON, the rationale text or null), in
-- the order they were given. A view named `answers` shows them as rows, as the table did, so
-- every reader (`current_answers`, status queries, ad-hoc SQL) stays as it was.

CREATE TABLE submission_answers (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    answers       TEXT NOT NULL           -- JSON: [[item_id, value, rationale], ...]
) STRICT;

-- Moved before the triggers exist: answers of closed rounds move too.
INSERT INTO submission_answers (submission_id, answers)
SELECT submission_id, json_group_array(json_array(item_id, json(value), rationale) ORDER BY rowid)
FROM answers GROUP BY submission_id;

CREATE TRIGGER submission_answers_need_an_open_round BEFORE INSERT ON submission_answers
WHEN (SELECT r.state FROM submissions s JOIN rounds r ON r.study_id = s.study_id AND r.number = s.round
      WHERE s.id = NEW.submission_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'round is not open'); END;

CREATE TRIGGER submission_answers_are_kept BEFORE UPDATE ON submission_answers
BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;

CREATE TRIGGER submission_answers_are_never_deleted BEFORE DELETE ON submission_answers
BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;

DROP VIEW current_answers;
DROP TRIGGER answers_need_an_open_round;
DROP TRIGGER answers_are_kept;
DROP TRIGGER answers_are_never_deleted;
DROP TABLE answers;

-- One row per answer, as the table of schemas 1 and 2 had them: `value` is JSON text.
CREATE VIEW answers (submission_id, item_id, value, rationale) AS
SELECT sa.submission_id, e.value ->> 0, e.value -> 1, e.value ->> 2
FROM submission_answers sa, json_each(sa.answers) e;

-- Answers are written through `submission_answers` only, and never changed.
CREATE TRIGGER answers_are_written_as_submissions INSTEAD OF INSERT ON answers
BEGIN SELECT RAISE(ABORT, 'answers are written with their submission, into submission_answers'); END;

CREATE TRIGGER answers_are_kept INSTEAD OF UPDATE ON answers
BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;

CREATE TRIGGER answers_are_never_deleted INSTEAD OF DELETE ON answers
BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;

-- As in schema 1, over the view now.
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
