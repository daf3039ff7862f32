"""T-SQL analysis with sqlglot: parsing, what a query references, grounding against the catalog, house style."""
