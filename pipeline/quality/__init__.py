"""Trust measured: the blind audit of auto-accepted records, calibrated thresholds (fitted on benches),
the refit from reviewers' verdicts, and the evaluation against ground truth."""
