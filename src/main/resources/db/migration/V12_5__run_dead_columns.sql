-- A run's status, phase, error and times are its jobs'; these columns were never written.
ALTER TABLE run
    DROP COLUMN status,
    DROP COLUMN phase,
    DROP COLUMN error,
    DROP COLUMN started_at,
    DROP COLUMN finished_at;
