-- The office's logo, printed beside its name at the head of the consultation form. Its own
-- table, not the settings document: the settings are read (from their cache) by every write,
-- and the image is read only where a form is drawn. The bytes are kept as uploaded, checked
-- (PNG or JPEG, at most 512 KiB, 1-4000 pixels a side) before they are written.
CREATE TABLE office_logo (
    office_id TEXT NOT NULL PRIMARY KEY REFERENCES offices (id),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    bytes BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
