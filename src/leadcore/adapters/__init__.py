"""Implementations of the ports: memory, SQL, files, and the command line."""
