"""Render: the archive assembled from articles, how articles relate, and the pages written from them."""
