-- Folds a batch of points of one (run, metric) into metric_summaries.
-- ?1 run_id, ?2 key_id, ?3 last value of the batch, ?4 its step, ?5 its timestamp,
-- ?6 min and ?7 max of the batch's non-NaN values (NULL if none), ?8 number of points.
INSERT INTO metric_summaries (run_id, key_id, last_value, last_step, last_timestamp, min_value, max_value, count)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (run_id, key_id) DO UPDATE SET
  last_value = CASE WHEN excluded.last_step > last_step
                      OR (excluded.last_step = last_step AND excluded.last_timestamp >= last_timestamp)
                    THEN excluded.last_value ELSE last_value END,
  last_timestamp = CASE WHEN excluded.last_step > last_step
                          OR (excluded.last_step = last_step AND excluded.last_timestamp >= last_timestamp)
                        THEN excluded.last_timestamp ELSE last_timestamp END,
  last_step = MAX(last_step, excluded.last_step),
  min_value = CASE WHEN min_value IS NULL THEN excluded.min_value
                   WHEN excluded.min_value IS NULL THEN min_value
                   ELSE MIN(min_value, excluded.min_value) END,
  max_value = CASE WHEN max_value IS NULL THEN excluded.max_value
                   WHEN excluded.max_value IS NULL THEN max_value
                   ELSE MAX(max_value, excluded.max_value) END,
  count = count + excluded.count
