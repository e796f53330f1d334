"""The partition picker as a cell shows it: the picker, and its runs' output under it.

Responsibilities:
- ``PartitionView``: the two in a box whose static picture (for nbconvert,
  GitHub and terminals) is the picker's own: counts and the status strip.

A module of its own so that ``ipywidgets`` loads only when a picker is shown.
"""

from __future__ import annotations

from typing import Any

import ipywidgets

__all__ = ["PartitionView"]


class PartitionView(ipywidgets.VBox):  # type: ignore[misc]
    """The picker with its runs' output under it; exports show the picker's picture."""

    def __init__(self, picker: Any, output: Any) -> None:
        super().__init__(children=[picker, output])
        self.picker = picker

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        # ipywidgets returns the data alone; anywidget a (data, metadata) pair.
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, **self.picker.static_bundle()}, metadata
