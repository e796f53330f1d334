"""Definitions: asset keys, @asset, specs, config, resources, results, checks."""
