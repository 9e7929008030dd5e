"""Desktop integration: one instance per user, URI handlers, self-test (no widgets here)."""
