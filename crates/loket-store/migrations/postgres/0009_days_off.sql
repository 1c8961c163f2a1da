-- The business calendar's non-working dates: national holidays (libur nasional) and cuti
-- bersama, one row per date of an office. The date is the office's local date, `YYYY-MM-DD`,
-- so that text order is date order. The opening hours per weekday are in the settings document
-- (`calendar`).
CREATE TABLE days_off (
    office_id TEXT NOT NULL REFERENCES offices (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('libur_nasional', 'cuti_bersama')),
    name TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (office_id, day)
);
