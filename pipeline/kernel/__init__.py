"""The kernel every room stands on: records and pieces (models), errors and exit codes, settings (config),
the working store, file-name and path safety, masking of personal data, CSV safety, rates, versioned files,
the thresholds file, processes and local HTTP helpers. Imports nothing else of ours."""
