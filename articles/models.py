"""Article excerpts with attribution, topics and reading time."""
