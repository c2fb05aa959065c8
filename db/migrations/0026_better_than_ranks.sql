-- Ranks read "better than N% of peers" whichever way a measure points: where less is better (the attitude
-- blame share), the stored mid-rank turns, as the benchmark job now stores it.
UPDATE benchmark_positions SET percentile_rank = 100 - percentile_rank WHERE measure = 'attitudeBlameShare';
