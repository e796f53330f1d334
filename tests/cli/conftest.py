from tests.notebook.conftest import kernel_name  # noqa: F401 - the kernel spec fixture
