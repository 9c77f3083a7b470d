-- A run without training (POST /api/runs {"train": false}): no PRIOR or TRAIN job, generation with the base model.
ALTER TABLE run ADD COLUMN train boolean NOT NULL DEFAULT true;
