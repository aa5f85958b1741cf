"""What leaves certeval: text and JSON formats, the published JSON Schemas, reports, atomic file
writing and tables."""
