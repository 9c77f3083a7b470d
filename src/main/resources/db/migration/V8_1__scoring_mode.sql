-- The scoring mode of a run's scorecard and of an evaluation: the 2024 kit's numbers (official) or
-- its quirks fixed (corrected). Leaderboards rank each mode separately.
ALTER TABLE run ADD COLUMN scoring_mode text NOT NULL DEFAULT 'official' CHECK (scoring_mode IN ('official', 'corrected'));
ALTER TABLE evaluation ADD COLUMN scoring_mode text NOT NULL DEFAULT 'official' CHECK (scoring_mode IN ('official', 'corrected'));
