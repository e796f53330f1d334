"""IO managers and the instance that remembers materializations."""
