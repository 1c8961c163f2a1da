-- Unmatched mails (surat tak dikenali): mails read from the office's mailbox that name an open
-- escalation (by its thread or by `[reference]` in their subject) but are not plainly LKPP's
-- answer: another sender, or LKPP's sender outside the escalation mail's thread. Nothing is
-- recorded on the visit and nothing is sent to the visitor until a supervisor confirms one. A row
-- is never deleted: confirmed or dismissed, it stays for the auditor, with who decided and when.
-- Its mail_inbox row has the outcome `kept`.
CREATE TABLE unmatched_mail (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    -- The mail_inbox row it was taken as (its Message-ID, else the mailbox's own id for it).
    message_key TEXT NOT NULL UNIQUE REFERENCES mail_inbox (message_key),
    received_at BIGINT NOT NULL,
    sender TEXT,
    subject TEXT NOT NULL,
    -- The answer text taken from it (quoted lines cut), as a confirmation would record it.
    answer TEXT NOT NULL,
    message_id TEXT,
    -- LKPP's ticket number found in it by the office's pattern, if any.
    lkpp_ticket TEXT,
    -- The visit it seems to name.
    visit_id TEXT REFERENCES visits (id),
    -- Why it was not taken by itself: sender or thread.
    doubt TEXT NOT NULL CHECK (doubt IN ('sender', 'thread')),
    -- Its Authentication-Results headers (SPF, DKIM, DMARC), one a line, as they came.
    authentication_results TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'dismissed')),
    decided_by TEXT,
    decided_at BIGINT
);
CREATE INDEX unmatched_mail_received ON unmatched_mail (office_id, received_at);
