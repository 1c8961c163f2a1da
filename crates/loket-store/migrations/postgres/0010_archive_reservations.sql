-- Step 12 takes a visit's archive number in a short transaction of its own, then makes the
-- document outside the database's writer, then stores it. The number is kept here until the
-- document is stored, so that a document that could not be made, or a crash in between, never
-- leaves a gap in the archive numbers: the next try for the visit takes the same number.
CREATE TABLE archive_reservations (
    visit_id TEXT NOT NULL REFERENCES visits (id),
    version BIGINT NOT NULL,
    number TEXT NOT NULL,
    reserved_at BIGINT NOT NULL,
    PRIMARY KEY (visit_id, version)
);
CREATE UNIQUE INDEX archive_reservations_number ON archive_reservations (number, version);
