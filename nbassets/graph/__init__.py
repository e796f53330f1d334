"""The registry, the asset graph, traversals and selections."""
