-- Every file a run writes (config.json, summary.json, report.html...), keyed by run and path.
-- The content-addressed step cache and checkpoints live under run '' so every run shares them.
CREATE TABLE samlab_files (
  run        text        NOT NULL,
  path       text        NOT NULL,
  bytes      bytea       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run, path)
);

-- One row per epoch of one training run: every metric in `metrics` (jsonb), the labels as columns.
CREATE TABLE samlab_metrics (
  run     text  NOT NULL,
  row_no  int   NOT NULL,
  method  text,
  seed    int,
  epoch   int,
  metrics jsonb NOT NULL,
  PRIMARY KEY (run, row_no)
);
CREATE INDEX samlab_metrics_method ON samlab_metrics (run, method, seed, epoch);

-- What `samlab status` lists: each cell of a run, who runs it and how far it got.
CREATE TABLE samlab_cells (
  run        text        NOT NULL,
  cell_index int         NOT NULL,
  cell_id    text        NOT NULL,
  state      text        NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  worker     text,
  epoch      int,
  attempts   int         NOT NULL DEFAULT 0,
  error      text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run, cell_index)
);
