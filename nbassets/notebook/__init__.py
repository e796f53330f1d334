"""The IPython extension: %%asset, %%asset_check, %materialize and %assets."""
