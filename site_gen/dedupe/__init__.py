"""Deduplicate: fingerprints of texts (minhash) and the clusters of copies they form (clusters)."""
