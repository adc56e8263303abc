"""Running the job: the run's stages (intake, pages, linkage, audit, remap), run management (batches,
claims, resuming), completion against the inventory, launching a detached run, clean interruption."""
