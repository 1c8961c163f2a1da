-- The running steps' partial index (0017) covers every query that reads them. Without the
-- database's statistics (SQLite before its first ANALYZE), the overruns' list of the running steps
-- chose `visit_steps_step`, which holds every step of the period, ended or not, and read each of
-- their rows: the partial index held too few of the list's columns to be preferred. It now holds
-- every column these queries read (the visit and place of each step, who started it; its
-- durations, its end and `instant` are the same for every row it holds, but a query reading them
-- is covered only if they are in it), so that list, the reports' counts and the standards watch
-- read only the index, never the table. See docs/benchmarks.md, "Running steps".
DROP INDEX visit_steps_running;
CREATE INDEX visit_steps_running ON visit_steps (office_id, step, day, started_at, standard_minutes, visit_id, seq,
    by_user, duration_ms, working_ms, ended_at, instant)
    WHERE ended_at IS NULL AND NOT instant AND standard_minutes IS NOT NULL;
