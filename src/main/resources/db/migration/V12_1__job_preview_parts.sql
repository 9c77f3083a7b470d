-- A job of several parts that step together (a board run's styles) keeps the latest preview of each
-- part; the whole job's preview is part ''.
ALTER TABLE job_preview ADD COLUMN part text NOT NULL DEFAULT '';
ALTER TABLE job_preview DROP CONSTRAINT job_preview_pkey;
ALTER TABLE job_preview ADD PRIMARY KEY (job_id, part);
