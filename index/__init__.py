"""Waymark ingestion: load, clean, date, chunk, embed and store the corpus."""
