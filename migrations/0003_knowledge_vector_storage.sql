-- Keep what search reads for every candidate row (the embedding and the tsvector) inside the
-- heap row, and let the long text columns go out of line instead.
--
-- A chunk row (content, search text, tsvector, a 1.5 kB vector) exceeds the default 2 kB TOAST
-- target, and by default the vector (pgvector's EXTERNAL storage) and the tsvector are what get
-- moved out of line: every exact kNN step and every `tsv @@ query` then pays a TOAST lookup.
-- MAIN keeps them inline as long as possible, and a row is only toasted past ~8 kB.
-- Measured (bench/kb.py data, 100k chunks): full-text ranking for a 1,000-chunk tenant
-- 9.3 -> 2.4 ms p50; exact kNN over 1,000 rows 7.5 -> 1.6 ms, over 20,000 rows 38 -> 15 ms.
-- Rows written before this migration keep their layout until rewritten (re-ingestion rewrites).
ALTER TABLE knowledge_chunks ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE knowledge_chunks ALTER COLUMN tsv SET STORAGE MAIN;
ALTER TABLE knowledge_chunks SET (toast_tuple_target = 8160);
