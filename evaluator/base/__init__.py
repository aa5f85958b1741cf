"""The foundations every wing stands on: errors and exit statuses, dates, bilingual texts, the safe
YAML loader, the schema language, the typed case, resources and version."""
