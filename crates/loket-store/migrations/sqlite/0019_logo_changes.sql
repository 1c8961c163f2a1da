-- The office's logo joins the change record: each upload, replacement and removal is recorded
-- (its media type, size in bytes and SHA-256 before and after, never the bytes) in the same
-- transaction as the change. The kinds are checked by the table, so the table is made again with
-- `logo` among them (SQLite cannot change a CHECK in place); its rows are copied as they are.
CREATE TABLE change_records_new (
    id BIGINT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    kind TEXT NOT NULL CHECK (kind IN ('priorities', 'time_standards', 'counters', 'office', 'desks',
        'mail', 'imap', 'calendar', 'logo', 'day_off', 'user')),
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    -- What the change was about when a kind has many: a user name, a day off's date.
    subject TEXT,
    before_value TEXT,
    after_value TEXT
);
INSERT INTO change_records_new (id, office_id, kind, changed_by, changed_at, subject, before_value, after_value)
    SELECT id, office_id, kind, changed_by, changed_at, subject, before_value, after_value FROM change_records;
DROP TABLE change_records;
ALTER TABLE change_records_new RENAME TO change_records;
CREATE INDEX change_records_at ON change_records (office_id, changed_at);
CREATE INDEX change_records_kind ON change_records (office_id, kind, changed_at);
