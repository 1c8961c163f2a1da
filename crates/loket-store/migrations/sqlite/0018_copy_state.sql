-- The reports count the copies of the form not given (step 12): e-mailed and not taken by the
-- mail server yet, declined, or not recorded for a visit served. Each visit's facts keep where
-- its copy stands; the rows written before are filled in from the visit as stored.
ALTER TABLE visit_facts ADD COLUMN copy_state TEXT;
UPDATE visit_facts SET copy_state = (
    SELECT CASE
        WHEN json_extract(v.data, '$.copy') IS NULL THEN NULL
        WHEN json_extract(v.data, '$.copy.via') = 'declined' THEN 'declined'
        WHEN json_extract(v.data, '$.copy.pending') = 1 THEN 'pending'
        ELSE 'given'
    END
    FROM visits v WHERE v.id = visit_facts.visit_id
);
