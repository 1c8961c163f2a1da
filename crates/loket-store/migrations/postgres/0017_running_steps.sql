-- Steps still running, with a standard: the reports count those past their standard when they are
-- read, and the standards watch looks at the visits that have one, whatever day they were opened.
-- A partial index: it holds only the running steps (a few per open visit, and the forms never
-- returned or visits never archived), so it stays small however many steps have ended.
CREATE INDEX visit_steps_running ON visit_steps (office_id, step, day, started_at, standard_minutes)
    WHERE ended_at IS NULL AND NOT instant AND standard_minutes IS NOT NULL;
