"""Inline views: lineage graph, run progress, partition picker, asset view."""
