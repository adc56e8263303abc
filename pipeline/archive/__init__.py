"""What the archive holds: the inventory of funeral homes and ledger volumes, and which scanned file
belongs to which volume."""
