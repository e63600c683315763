"""Claims and the verdict scale."""
