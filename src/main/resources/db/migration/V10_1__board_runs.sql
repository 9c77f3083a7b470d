-- Board runs: one run over several style sets (one recipe, one base model), trained in the same UNet
-- passes. run.style_set_id stays the first style set; every style set of a board, in board order, is here.
ALTER TABLE run ADD COLUMN board boolean NOT NULL DEFAULT false;

CREATE TABLE board_style_set (
    run_id        bigint NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    position      int NOT NULL,
    style_set_id  bigint NOT NULL REFERENCES style_set(id),
    PRIMARY KEY (run_id, position),
    UNIQUE (run_id, style_set_id)
);
CREATE INDEX board_style_set_style_set ON board_style_set(style_set_id);
