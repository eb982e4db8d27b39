"""Use cases: they take clients and stores as arguments and do no terminal I/O of their own."""
