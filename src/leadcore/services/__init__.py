"""Use cases: check the actor, apply the domain rule, write through the ports, commit."""
