from tests.notebook.conftest import _ipython, shell  # noqa: F401 - a real IPython shell
