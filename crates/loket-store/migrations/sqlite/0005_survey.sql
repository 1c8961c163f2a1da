-- The satisfaction survey (survei kepuasan masyarakat). A link per visit is kept by its SHA-256
-- only, as status tokens are; it can be answered once, and opening it records nothing.
CREATE TABLE survey_tokens (
    token_hash TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    visit_id TEXT NOT NULL REFERENCES visits (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX survey_tokens_visit ON survey_tokens (visit_id);

-- One response per visit. The visit's office day, service and the staff member who served it are
-- copied in when it is answered, so that the index is added up without reading any visit.
CREATE TABLE survey_responses (
    visit_id TEXT PRIMARY KEY REFERENCES visits (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    visit_day TEXT NOT NULL,
    service TEXT NOT NULL,
    served_by TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    u1 INTEGER NOT NULL CHECK (u1 BETWEEN 1 AND 4),
    u2 INTEGER NOT NULL CHECK (u2 BETWEEN 1 AND 4),
    u3 INTEGER NOT NULL CHECK (u3 BETWEEN 1 AND 4),
    u4 INTEGER NOT NULL CHECK (u4 BETWEEN 1 AND 4),
    u5 INTEGER NOT NULL CHECK (u5 BETWEEN 1 AND 4),
    u6 INTEGER NOT NULL CHECK (u6 BETWEEN 1 AND 4),
    u7 INTEGER NOT NULL CHECK (u7 BETWEEN 1 AND 4),
    u8 INTEGER NOT NULL CHECK (u8 BETWEEN 1 AND 4),
    u9 INTEGER NOT NULL CHECK (u9 BETWEEN 1 AND 4),
    comment TEXT,
    age_group TEXT,
    sex TEXT,
    education TEXT,
    occupation TEXT
);
CREATE INDEX survey_responses_day ON survey_responses (office_id, visit_day);
