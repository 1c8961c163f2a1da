-- The escalations still waiting for LKPP's answer, found by their status in the report facts
-- (kept with every write of a visit), oldest first: the counter page lists them however many
-- visits were archived since. A partial index: it holds the open escalations only, so the writes
-- of every other visit never touch it.
CREATE INDEX visit_facts_open_escalations ON visit_facts (office_id, escalated_at)
    WHERE escalation_status IN ('pending', 'sent');
