"""The local SQLite store: one file under TAP_HOME, one module per aggregate."""
