-- Steps still running, with a standard: the reports count those past their standard when they are
-- read, and the standards watch looks at the visits that have one, whatever day they were opened.
-- A partial index: it holds only the running steps (a few per open visit, and the forms never
-- returned or visits never archived), so it stays small however many steps have ended.
CREATE INDEX visit_steps_running ON visit_steps (office_id, step, day, started_at, standard_minutes)
    WHERE ended_at IS NULL AND NOT instant AND standard_minutes IS NOT NULL;

-- Step 11 of an escalation through LKPP's TTS is instant: the ticket was made in LKPP's
-- application at a time Loket does not know, and its number entered with the escalation. The
-- rows written before this rule held it as measured (0 minutes, always within); they are marked
-- as the domain now writes them, so that the reports stop counting them as met.
UPDATE visit_steps SET instant = TRUE
    WHERE step = 11 AND ended_at = started_at
    AND visit_id IN (SELECT visit_id FROM visit_facts WHERE escalation_channel = 'tts');

-- A visit cancelled at the visitor's request while in service ends its analysis (step 9) without
-- a result: its own outcome, neither judged against the standard nor counted in the times. The
-- step rows keep it; those written before are the step 9 rows that ended, of cancelled visits
-- (a visit is cancelled in service or before it is called, never after its analysis ended).
ALTER TABLE visit_steps ADD COLUMN cancelled BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE visit_steps SET cancelled = TRUE
    WHERE step = 9 AND ended_at IS NOT NULL
    AND visit_id IN (SELECT visit_id FROM visit_facts WHERE outcome = 'cancelled');
