"""Suite-wide settings that must hold however pytest is invoked (from the repository root the
package's pyproject.toml is not the ini file): warnings are errors and every test has a timeout."""

from __future__ import annotations

from typing import List

import pytest

DEFAULT_TIMEOUT = 120


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    for item in items:
        if "hikproto-py" not in str(item.path):
            continue
        item.add_marker(pytest.mark.filterwarnings("error"), append=False)
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(DEFAULT_TIMEOUT))
