-- The visitor's status page (/status/{token}): each token is kept by its SHA-256 only, as
-- sessions are, and ends with the office day its ticket was printed on.
CREATE TABLE status_tokens (
    token_hash TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    visit_id TEXT NOT NULL REFERENCES visits (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX status_tokens_visit ON status_tokens (visit_id);
CREATE INDEX status_tokens_expiry ON status_tokens (expires_at);
