"""Ingest: find and read article files, decode them, normalize their text and tag them with their outlet."""
