"""Reply templates (library, placeholders, search) and the drafts agents write with them."""
