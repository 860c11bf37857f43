"""The command groups of ``leadcore``, one module each."""
