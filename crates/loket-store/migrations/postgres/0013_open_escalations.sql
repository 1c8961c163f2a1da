-- The escalations still waiting for LKPP's answer, found by their status in the report facts
-- (kept with every write of a visit), oldest first: the counter page lists them however many
-- visits were archived since.
CREATE INDEX visit_facts_open_escalations ON visit_facts (office_id, escalation_status, escalated_at);
