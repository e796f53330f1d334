"""Export assets to a Dagster code location."""
