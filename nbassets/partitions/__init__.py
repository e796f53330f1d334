"""Partition definitions and partition mappings."""
