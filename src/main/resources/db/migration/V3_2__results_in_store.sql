-- A run's results are found in the artifact store by key (runs/{id}/...), not in a table.
DROP TABLE run_artifact;
