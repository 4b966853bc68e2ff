-- Schema 8: the analysis rules (the study's consensus rule, as JSON) in force when a round
-- opened, so that a report made after the study file's rules were edited can say so and show
-- the old rule beside the new (issue 14, point 5). NULL for a round opened before schema 8,
-- and for a draft. Like the questionnaire, it is frozen once the round opens.
ALTER TABLE rounds ADD COLUMN rules TEXT;

CREATE TRIGGER round_rules_frozen BEFORE UPDATE OF rules ON rounds
WHEN OLD.state <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'the rules of an opened round are frozen');
END;
