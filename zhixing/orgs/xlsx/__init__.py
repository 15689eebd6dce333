"""Excel in and out for the orgs app: `organisations` (organisations, and the rules every import follows: its
docstring), `people` (党员干部) and `common` (the parsers both share)."""
