"""Taking tickets in: decode, split, parse and check every record, apply rules, write all or nothing."""
