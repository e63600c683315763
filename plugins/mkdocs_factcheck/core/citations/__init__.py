"""Citations: Pandoc's syntax, citations by identifier, labels, and the engine a build shares."""
