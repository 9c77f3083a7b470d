-- A style set's own prompt template for generation (e.g. '"paper" painting of {object}'): what {object}
-- of the recipe's generation prompt becomes. Null: the object itself.
ALTER TABLE style_set ADD COLUMN prompt_template text;
