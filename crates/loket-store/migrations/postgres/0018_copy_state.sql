-- The reports count the copies of the form not given (step 12): e-mailed and not taken by the
-- mail server yet, declined, or not recorded for a visit served. Each visit's facts keep where
-- its copy stands; the rows written before are filled in from the visit as stored.
ALTER TABLE visit_facts ADD COLUMN copy_state TEXT;
UPDATE visit_facts f SET copy_state = CASE
        WHEN jsonb_typeof(v.data::jsonb -> 'copy') IS DISTINCT FROM 'object' THEN NULL
        WHEN v.data::jsonb #>> '{copy,via}' = 'declined' THEN 'declined'
        WHEN v.data::jsonb #>> '{copy,pending}' = 'true' THEN 'pending'
        ELSE 'given'
    END
    FROM visits v WHERE v.id = f.visit_id;
