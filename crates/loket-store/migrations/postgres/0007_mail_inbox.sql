-- Mails read from the office's mailbox (LKPP's answers to escalations). One row per message, by
-- its Message-ID (or the mailbox's own id for it), claimed in the same transaction that records
-- what it brought: however many instances read the mailbox, a message is taken once.
CREATE TABLE mail_inbox (
    message_key TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    received_at BIGINT NOT NULL,
    -- answered, auto_reply, unmatched or not_open
    outcome TEXT NOT NULL,
    visit_id TEXT REFERENCES visits (id),
    sender TEXT,
    subject TEXT NOT NULL
);
CREATE INDEX mail_inbox_outcome ON mail_inbox (office_id, outcome);

-- The escalation mail a reply names by its In-Reply-To or References.
CREATE INDEX mail_outbox_message_id ON mail_outbox (message_id);
