-- Loket schema, PostgreSQL. Times are milliseconds since the Unix epoch (UTC); days are YYYY-MM-DD
-- in the office's time zone.

CREATE TABLE offices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO offices (id, name, created_at) VALUES ('default', 'LPSE', 0);

-- One JSON document per setting; absent settings take the defaults of the code.
CREATE TABLE settings (
    office_id TEXT NOT NULL REFERENCES offices (id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (office_id, key)
);

CREATE TABLE users (
    username TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

-- Bearer tokens, stored as their SHA-256.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (username);

-- Counters per office: queue numbers per service and day, line positions, references, archive.
CREATE TABLE sequences (
    office_id TEXT NOT NULL REFERENCES offices (id),
    name TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (office_id, name)
);

-- The current state of each visit (the whole visit as JSON in data), with the columns the line
-- and the lists query.
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    reference TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    status TEXT NOT NULL,
    created_day TEXT NOT NULL,
    number TEXT,
    number_day TEXT,
    counter TEXT,
    priority_lane BOOLEAN NOT NULL DEFAULT FALSE,
    position BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX visits_number ON visits (office_id, service, number_day, number);
-- The line: waiting visits of a service in calling order (priority lane first).
CREATE INDEX visits_line ON visits (office_id, status, service, priority_lane DESC, position);
CREATE INDEX visits_counter ON visits (office_id, counter, status);
CREATE INDEX visits_day ON visits (office_id, created_day);

-- The history: every transition, append-only.
CREATE TABLE visit_events (
    visit_id TEXT NOT NULL REFERENCES visits (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (visit_id, seq)
);
CREATE INDEX visit_events_at ON visit_events (at);

-- Archived forms, byte for byte, with their SHA-256. Never changed: a correction is a new version.
CREATE TABLE archived_documents (
    visit_id TEXT NOT NULL REFERENCES visits (id),
    version BIGINT NOT NULL,
    number TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    archived_at BIGINT NOT NULL,
    PRIMARY KEY (visit_id, version)
);

CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    visit_id TEXT REFERENCES visits (id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX mail_outbox_status ON mail_outbox (status, created_at);

CREATE FUNCTION loket_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER visit_events_append_only BEFORE UPDATE OR DELETE ON visit_events
FOR EACH ROW EXECUTE FUNCTION loket_refuse_change();
CREATE TRIGGER archived_documents_immutable BEFORE UPDATE OR DELETE ON archived_documents
FOR EACH ROW EXECUTE FUNCTION loket_refuse_change();
