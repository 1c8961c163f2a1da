-- Archive search (SOP step 12: an archived form is found again). One row per archived visit,
-- written in the transaction of each archive and of each new version (the row shows the latest
-- version; every version stays in archived_documents). `words` holds every text field of the
-- visit as lowercased words separated by spaces (the domain cuts them, so that both databases
-- index the same words); the FTS5 table indexes it, kept in step by the triggers below.
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
    subject TEXT,
    problem TEXT,
    analysis TEXT,
    answer TEXT,
    words TEXT NOT NULL
);
CREATE INDEX archive_search_newest ON archive_search (office_id, archived_at DESC);
CREATE INDEX archive_search_day ON archive_search (office_id, day);

-- Words are already lowercased and split; diacritics are kept, as PostgreSQL's `simple` does.
CREATE VIRTUAL TABLE archive_search_words USING fts5 (
    words,
    content = 'archive_search',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER archive_search_words_insert AFTER INSERT ON archive_search BEGIN
    INSERT INTO archive_search_words (rowid, words) VALUES (new.rowid, new.words);
END;
CREATE TRIGGER archive_search_words_delete AFTER DELETE ON archive_search BEGIN
    INSERT INTO archive_search_words (archive_search_words, rowid, words) VALUES ('delete', old.rowid, old.words);
END;
CREATE TRIGGER archive_search_words_update AFTER UPDATE ON archive_search BEGIN
    INSERT INTO archive_search_words (archive_search_words, rowid, words) VALUES ('delete', old.rowid, old.words);
    INSERT INTO archive_search_words (rowid, words) VALUES (new.rowid, new.words);
END;

-- The visits archived before this migration, from their stored JSON. FTS5's tokenizer cuts the
-- text into the same words the domain would; the category's name is not there (it is in the
-- settings or the code), and comes with the visit's next archived version.
INSERT INTO archive_search (visit_id, office_id, reference, number, version, archived_at, day, category,
    visitor_role, outcome, has_answer, visitor_name, subject, problem, analysis, answer, words)
SELECT
    v.id, v.office_id, v.reference,
    json_extract(v.data, '$.archive.number'),
    json_extract(v.data, '$.archive.version'),
    a.archived_at,
    COALESCE(v.number_day, v.created_day),
    json_extract(v.data, '$.form.category'),
    json_extract(v.data, '$.visitor.role'),
    CASE WHEN json_type(v.data, '$.escalation') = 'object' THEN 'escalated' ELSE 'answered' END,
    COALESCE(json_extract(v.data, '$.answer'), json_extract(v.data, '$.escalation.answer')) IS NOT NULL,
    json_extract(v.data, '$.visitor.name'),
    json_extract(v.data, '$.form.subject'),
    json_extract(v.data, '$.form.description'),
    json_extract(v.data, '$.analysis'),
    COALESCE(json_extract(v.data, '$.answer'), json_extract(v.data, '$.escalation.answer')),
    lower(concat_ws(' ', v.reference, json_extract(v.data, '$.archive.number'), v.number,
        json_extract(v.data, '$.visitor.name'), json_extract(v.data, '$.visitor.organization'),
        json_extract(v.data, '$.visitor.role'), json_extract(v.data, '$.visitor.phone'),
        json_extract(v.data, '$.visitor.email'), json_extract(v.data, '$.form.category'),
        json_extract(v.data, '$.form.subject'), json_extract(v.data, '$.form.description'),
        json_extract(v.data, '$.form.spse_user_id'), json_extract(v.data, '$.form.tender_code'),
        json_extract(v.data, '$.analysis'), json_extract(v.data, '$.answer'),
        json_extract(v.data, '$.escalation.channel'), json_extract(v.data, '$.escalation.summary'),
        json_extract(v.data, '$.escalation.external_reference'), json_extract(v.data, '$.escalation.answer'),
        CASE WHEN json_type(v.data, '$.escalation') = 'object' THEN 'escalated' ELSE 'answered' END))
FROM visits v
JOIN archived_documents a ON a.visit_id = v.id AND a.version = json_extract(v.data, '$.archive.version')
WHERE json_type(v.data, '$.archive') = 'object';
