-- Report facts: what the supervisors' reports count about each visit, derived by the domain
-- (`Visit::facts`) and rewritten with the visit in the same transaction, so that the reports are
-- added up by the database and never read whole visits. Rows of visits stored before this
-- migration are filled in once by the server at start (`backfill_facts`).
CREATE TABLE visit_facts (
    visit_id TEXT PRIMARY KEY REFERENCES visits (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    visitor_role TEXT,
    category TEXT,
    outcome TEXT NOT NULL,
    served_by TEXT,
    queued_at BIGINT,
    called_at BIGINT,
    started_at BIGINT,
    served_at BIGINT,
    waiting_ms BIGINT,
    service_ms BIGINT,
    escalation_channel TEXT,
    escalation_status TEXT,
    escalated_at BIGINT,
    lkpp_answered_at BIGINT
);
CREATE INDEX visit_facts_day ON visit_facts (office_id, day, outcome);

-- Each SOP step of a visit as recorded, with the standard in force when it started. The office
-- day is the visit's, copied in so that a period's steps are read without a join.
CREATE TABLE visit_steps (
    visit_id TEXT NOT NULL REFERENCES visits (id),
    seq BIGINT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    day TEXT NOT NULL,
    step BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    duration_ms BIGINT,
    standard_minutes BIGINT,
    instant BOOLEAN NOT NULL,
    by_user TEXT NOT NULL,
    PRIMARY KEY (visit_id, seq)
);
-- Covers what the time-standards report reads, so that it never visits the table's rows.
CREATE INDEX visit_steps_day ON visit_steps (office_id, day, step, duration_ms, standard_minutes, instant);
