"""HTML extraction helpers used by :mod:`indexer.parse`: text blocks, content, metadata, links."""
