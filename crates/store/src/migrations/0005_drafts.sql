-- Schema 5: drafts. The valid answers of a web submission that was refused for other
-- problems, kept so that the expert finds them again on their next visit. A draft is never
-- an answer: statistics, status and exports read submissions only. One per expert and
-- round, replaced by each refused submission, deleted when a submission is accepted.
CREATE TABLE drafts (
    study_id   TEXT NOT NULL,
    round      INTEGER NOT NULL,
    expert_id  TEXT NOT NULL,
    answers    TEXT NOT NULL CHECK (json_valid(answers)),  -- {"item-id": answer, ...}
    saved_at   TEXT NOT NULL,
    PRIMARY KEY (study_id, round, expert_id),
    FOREIGN KEY (study_id, round) REFERENCES rounds(study_id, number),
    FOREIGN KEY (study_id, expert_id) REFERENCES experts(study_id, id)
) STRICT;
