-- An evaluation may cover several styles (a whole board): the ids of its reference style sets, in order.
-- style_set_id stays the first of them.
ALTER TABLE evaluation ADD COLUMN style_set_ids text;
UPDATE evaluation SET style_set_ids = style_set_id::text;
ALTER TABLE evaluation ALTER COLUMN style_set_ids SET NOT NULL;
