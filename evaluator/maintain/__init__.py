"""Rule maintainers' tools: lint, fixtures, condition coverage, docs, diff, explain, synthetic
cases and the rule table."""
