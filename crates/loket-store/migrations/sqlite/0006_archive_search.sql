-- Archive search (SOP step 12: an archived form is found again). One row per archived visit,
-- written in the transaction of each archive and of each new version (the row is written anew,
-- so it shows the latest version and its rowid says which archive is newest; every version stays
-- in archived_documents). The row holds the filters and what a result shows; the searchable words
-- (every text field of the visit as lowercased words separated by spaces, cut by the domain so
-- that both databases index the same words) go to the FTS5 table under the row's rowid. The rows
-- stay narrow, so that a search that joins many matches to their filters reads few pages.
CREATE TABLE archive_search (
    visit_id TEXT NOT NULL UNIQUE REFERENCES visits (id),
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
    visitor_name TEXT
);
CREATE INDEX archive_search_newest ON archive_search (office_id, archived_at DESC);
CREATE INDEX archive_search_day ON archive_search (office_id, day);

-- What a result shows of the problem and its answer, read for the page of results only.
CREATE TABLE archive_search_texts (
    visit_id TEXT PRIMARY KEY REFERENCES visits (id),
    subject TEXT,
    problem TEXT,
    analysis TEXT,
    answer TEXT
);

-- The words, by the archive_search row's rowid. Contentless: the words are not stored twice.
-- Diacritics are kept, as PostgreSQL's `simple` does.
CREATE VIRTUAL TABLE archive_search_words USING fts5 (
    words,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER archive_search_words_delete AFTER DELETE ON archive_search BEGIN
    DELETE FROM archive_search_words WHERE rowid = old.rowid;
END;

-- The visits archived before this migration, from their stored JSON. FTS5's tokenizer cuts the
-- text into the same words the domain would; the category's name and the officer are not there
-- (they are in the settings and the history), and come with the visit's next archived version.
CREATE TEMP VIEW archived_before AS
SELECT v.id, v.office_id, v.reference, v.number AS queue_number, v.data, a.archived_at,
    COALESCE(v.number_day, v.created_day) AS day,
    CASE WHEN json_type(v.data, '$.escalation') = 'object' THEN 'escalated' ELSE 'answered' END AS outcome,
    COALESCE(json_extract(v.data, '$.answer'), json_extract(v.data, '$.escalation.answer')) AS answer
FROM visits v
JOIN archived_documents a ON a.visit_id = v.id AND a.version = json_extract(v.data, '$.archive.version')
WHERE json_type(v.data, '$.archive') = 'object';

INSERT INTO archive_search (visit_id, office_id, reference, number, version, archived_at, day, category,
    visitor_role, outcome, has_answer, visitor_name)
SELECT id, office_id, reference, json_extract(data, '$.archive.number'), json_extract(data, '$.archive.version'),
    archived_at, day, json_extract(data, '$.form.category'), json_extract(data, '$.visitor.role'), outcome,
    answer IS NOT NULL, json_extract(data, '$.visitor.name')
FROM archived_before ORDER BY archived_at;

INSERT INTO archive_search_texts (visit_id, subject, problem, analysis, answer)
SELECT id, json_extract(data, '$.form.subject'), json_extract(data, '$.form.description'),
    json_extract(data, '$.analysis'), answer
FROM archived_before;

INSERT INTO archive_search_words (rowid, words)
SELECT s.rowid, lower(concat_ws(' ', b.reference, json_extract(b.data, '$.archive.number'), b.queue_number,
    json_extract(b.data, '$.visitor.name'), json_extract(b.data, '$.visitor.organization'),
    json_extract(b.data, '$.visitor.role'), json_extract(b.data, '$.visitor.phone'),
    json_extract(b.data, '$.visitor.email'), json_extract(b.data, '$.form.category'),
    json_extract(b.data, '$.form.subject'), json_extract(b.data, '$.form.description'),
    json_extract(b.data, '$.form.spse_user_id'), json_extract(b.data, '$.form.tender_code'),
    json_extract(b.data, '$.analysis'), json_extract(b.data, '$.answer'),
    json_extract(b.data, '$.escalation.channel'), json_extract(b.data, '$.escalation.summary'),
    json_extract(b.data, '$.escalation.external_reference'), json_extract(b.data, '$.escalation.answer'),
    b.outcome,
    -- The filters as words of their own (see loket_domain::search::filter_word).
    'zzo' || b.outcome, 'zzc' || replace(json_extract(b.data, '$.form.category'), '_', ''),
    'zzr' || replace(json_extract(b.data, '$.visitor.role'), '_', ''),
    'zzm' || substr(replace(b.day, '-', ''), 1, 6)))
FROM archived_before b JOIN archive_search s ON s.visit_id = b.id;

DROP VIEW archived_before;
