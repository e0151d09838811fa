-- An admin may publish a private incident's lesson to the whole workspace (audit-logged): who and
-- when stay on the memory. Retention blanks the memory's words like the rest (counts stay).
ALTER TABLE incident_memories ADD COLUMN published_by text;
ALTER TABLE incident_memories ADD COLUMN published_at timestamptz;
