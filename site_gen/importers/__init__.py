"""Importers: tables of articles (CSV, JSONL) and of outlet labels turned into the archive's plain-text files."""
