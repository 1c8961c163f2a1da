-- The change record (catatan perubahan): every change of the settings (each part), the days off
-- and the staff accounts, written in the same transaction as the change itself, so that a change
-- is never without its record nor a record without its change. Rows are only ever added.
-- `id` is the office's sequence `change_records`, in the order the changes committed; `before`
-- and `after` are the part as JSON (null when there was none, or it is gone), never a password.
CREATE TABLE change_records (
    id BIGINT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    kind TEXT NOT NULL CHECK (kind IN ('priorities', 'time_standards', 'counters', 'office', 'desks',
        'mail', 'imap', 'calendar', 'day_off', 'user')),
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    -- What the change was about when a kind has many: a user name, a day off's date.
    subject TEXT,
    before_value TEXT,
    after_value TEXT
);
CREATE INDEX change_records_at ON change_records (office_id, changed_at);
CREATE INDEX change_records_kind ON change_records (office_id, kind, changed_at);
