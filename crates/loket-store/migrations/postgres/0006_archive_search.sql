-- Archive search (SOP step 12: an archived form is found again). One row per archived visit,
-- written anew in the transaction of each archive and of each new version (the row shows the
-- latest version; every version stays in archived_documents). What a result shows of the problem
-- and its answer is in archive_search_texts, read for the page of results only. `words` is the tsvector (`simple`
-- configuration) of every text field of the visit, cut into lowercased words by the domain, so
-- that both databases index the same words.
CREATE TABLE archive_search (
    visit_id TEXT PRIMARY KEY REFERENCES visits (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    reference TEXT NOT NULL,
    number TEXT NOT NULL,
    version BIGINT NOT NULL,
    archived_at BIGINT NOT NULL,
    -- The office day of the visit (its queue number's day), YYYY-MM-DD.
    day TEXT NOT NULL,
    category TEXT,
    visitor_role TEXT,
    -- answered | escalated
    outcome TEXT NOT NULL,
    -- The counter's answer, or LKPP's, is there to show.
    has_answer BOOLEAN NOT NULL,
    visitor_name TEXT,
    words TSVECTOR NOT NULL
);
CREATE TABLE archive_search_texts (
    visit_id TEXT PRIMARY KEY REFERENCES visits (id),
    subject TEXT,
    problem TEXT,
    analysis TEXT,
    answer TEXT
);
CREATE INDEX archive_search_newest ON archive_search (office_id, archived_at DESC);
CREATE INDEX archive_search_day ON archive_search (office_id, day);
CREATE INDEX archive_search_words ON archive_search USING GIN (words);

-- The visits archived before this migration, from their stored JSON, cut into words as the
-- domain does (runs of letters and digits, lowercased); the category's name and the officer are not there (they are
-- in the settings and the history), and come with the visit's next archived version.
INSERT INTO archive_search_texts (visit_id, subject, problem, analysis, answer)
SELECT v.id, v.data::jsonb->'form'->>'subject', v.data::jsonb->'form'->>'description', v.data::jsonb->>'analysis',
    COALESCE(v.data::jsonb->>'answer', v.data::jsonb->'escalation'->>'answer')
FROM visits v WHERE jsonb_typeof(v.data::jsonb->'archive') = 'object';

INSERT INTO archive_search (visit_id, office_id, reference, number, version, archived_at, day, category,
    visitor_role, outcome, has_answer, visitor_name, words)
SELECT
    v.id, v.office_id, v.reference,
    d->'archive'->>'number',
    (d->'archive'->>'version')::BIGINT,
    a.archived_at,
    COALESCE(v.number_day, v.created_day),
    d->'form'->>'category',
    d->'visitor'->>'role',
    CASE WHEN jsonb_typeof(d->'escalation') = 'object' THEN 'escalated' ELSE 'answered' END,
    COALESCE(d->>'answer', d->'escalation'->>'answer') IS NOT NULL,
    d->'visitor'->>'name',
    to_tsvector('simple', regexp_replace(lower(concat_ws(' ', v.reference, d->'archive'->>'number', v.number,
        d->'visitor'->>'name', d->'visitor'->>'organization', d->'visitor'->>'role', d->'visitor'->>'phone',
        d->'visitor'->>'email', d->'form'->>'category', d->'form'->>'subject', d->'form'->>'description',
        d->'form'->>'spse_user_id', d->'form'->>'tender_code', d->>'analysis', d->>'answer',
        d->'escalation'->>'channel', d->'escalation'->>'summary', d->'escalation'->>'external_reference',
        d->'escalation'->>'answer',
        CASE WHEN jsonb_typeof(d->'escalation') = 'object' THEN 'escalated' ELSE 'answered' END,
        -- The filters as words of their own (see loket_domain::search::filter_word).
        'zzo' || CASE WHEN jsonb_typeof(d->'escalation') = 'object' THEN 'escalated' ELSE 'answered' END,
        'zzc' || replace(d->'form'->>'category', '_', ''), 'zzr' || replace(d->'visitor'->>'role', '_', ''),
        'zzm' || substr(replace(COALESCE(v.number_day, v.created_day), '-', ''), 1, 6))),
        '[^[:alnum:]]+', ' ', 'g'))
FROM (SELECT *, data::jsonb AS d FROM visits) v
JOIN archived_documents a ON a.visit_id = v.id AND a.version = (v.d->'archive'->>'version')::BIGINT
WHERE jsonb_typeof(v.d->'archive') = 'object';
