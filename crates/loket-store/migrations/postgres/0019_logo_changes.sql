-- The office's logo joins the change record: each upload, replacement and removal is recorded
-- (its media type, size in bytes and SHA-256 before and after, never the bytes) in the same
-- transaction as the change. The kinds are checked by the table: `logo` is added among them.
ALTER TABLE change_records DROP CONSTRAINT change_records_kind_check;
ALTER TABLE change_records ADD CONSTRAINT change_records_kind_check CHECK (kind IN ('priorities',
    'time_standards', 'counters', 'office', 'desks', 'mail', 'imap', 'calendar', 'logo', 'day_off', 'user'));
