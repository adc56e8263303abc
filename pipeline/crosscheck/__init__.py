"""The cross-registry check: rolls of other departments (minimum living security, pensions, ...) read
and matched against the funeral records."""
