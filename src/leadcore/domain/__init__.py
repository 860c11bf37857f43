"""Pure business rules: standard library and attrs only, no I/O."""
