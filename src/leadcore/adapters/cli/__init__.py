"""The driving side: the ``leadcore`` command line."""
