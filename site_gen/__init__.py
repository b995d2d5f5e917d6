"""site_gen: a static archive site generator for scraped news articles."""

__version__ = "0.1.0"
