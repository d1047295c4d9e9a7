-- 004: what an ingest learns across files commits with the files it came from.

-- One row per (file, outlet key, normalised line) of every plain-text dump loaded, plus
-- one row per dump under the empty line (sha256('') as line_hash) that counts the dumps.
-- boilerplate_lines is derived from it (sum of documents per outlet and line, kept when
-- >= 3 or for the dump count) in the transaction that loads the files, so a killed
-- ingest never leaves counts for files that are not in the database, and a reloaded
-- file's old lines are taken out with its old records.
CREATE TABLE IF NOT EXISTS boilerplate_evidence (
    source_path VARCHAR NOT NULL,
    outlet      VARCHAR NOT NULL,     -- the dump's outlet key (textdump.dump_outlet_key)
    line_hash   VARCHAR NOT NULL,     -- 16 hex of sha256 of the normalised line
    documents   INTEGER NOT NULL      -- 1 per file; counts learnt before 004 keep theirs
);

-- Counts learnt before this schema have no files behind them: keep them as one
-- evidence row each, under a source_path no file can have.
INSERT INTO boilerplate_evidence
SELECT '(learnt before schema 4)', outlet, line_hash, documents FROM boilerplate_lines;
DELETE FROM boilerplate_lines WHERE documents < 3 AND line <> '';

-- A file that could not be read at all (unknown layout, I/O error): the one-line reason.
-- Its run stays unfinished (finished_at NULL), so the next ingest tries the file again.
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS error VARCHAR;
