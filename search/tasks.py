from . import indexing


def process_index_updates():
    """Run by the worker after each change, and every minute to retry what failed."""
    return indexing.process_updates()
