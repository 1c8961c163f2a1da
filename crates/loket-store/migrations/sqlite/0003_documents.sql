-- Documents and mail (SOP steps 11 and 12). An outbox mail now says what it is for (the
-- escalation to LKPP, the visitor's copy), whether the consultation form goes with it as PDF, its
-- Message-ID (given when it is queued, so that a reply can be matched to it), when it may be tried
-- next (backoff), and until when one instance holds it to send it (so that several instances on
-- one database send it once).
ALTER TABLE mail_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'escalation';
ALTER TABLE mail_outbox ADD COLUMN attach_form BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mail_outbox ADD COLUMN message_id TEXT;
ALTER TABLE mail_outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mail_outbox ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

-- An archive number belongs to one visit: its versions share it, two visits never do.
CREATE UNIQUE INDEX archived_documents_number ON archived_documents (number, version);
