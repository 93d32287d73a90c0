-- Schema version 3: listing an experiment's top-level runs (child runs sit under their parent)
-- newest first straight from an index, without reading each run's row.
CREATE INDEX runs_top_level ON runs (experiment_id, lifecycle, parent_id, start_time);
