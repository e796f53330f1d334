"""Planning and in-process execution of asset runs."""
