"""Waymark runtime: retrieval, grounded answers, citations, chat UI and CLI."""
