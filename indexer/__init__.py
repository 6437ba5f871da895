"""artsearch build side: page parsing, the index schema and index writing."""

import logging

logging.getLogger("indexer").addHandler(logging.NullHandler())
