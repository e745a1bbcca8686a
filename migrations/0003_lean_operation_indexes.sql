-- 0003: one index fewer for every operation insert (each index is a WAL frame on the hot path).
-- operations_shift_open (0002, "WHERE is_final = 0") already serves the lookups of unfinished operations.
DROP INDEX IF EXISTS operations_open;
