"""The rule engine: facts in, explained decision out."""
