-- Report facts in working time: each finished step's and each visit's waiting and service time
-- measured by the office's business calendar as it stood when they were written, beside the clock
-- durations, so that the reports of an office that measures in working time are added up by the
-- database too. The facts are emptied here and rebuilt by the server at start (`backfill_facts`),
-- so every row has both measures.
DELETE FROM visit_steps;
DELETE FROM visit_facts;
ALTER TABLE visit_steps ADD COLUMN working_ms BIGINT;
ALTER TABLE visit_facts ADD COLUMN waiting_working_ms BIGINT;
ALTER TABLE visit_facts ADD COLUMN service_working_ms BIGINT;

-- The time-standards report and the overruns are read one SOP step at a time, each step's rows of
-- the period found by one seek and covered by the index; the step first, so that no report sorts
-- the whole period's steps to group them.
DROP INDEX visit_steps_day;
CREATE INDEX visit_steps_step ON visit_steps (office_id, step, day, duration_ms, working_ms, standard_minutes, instant);
