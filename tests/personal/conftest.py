import shutil

import pytest

from tests.personal.helpers import prepare


@pytest.fixture(scope="session")
def personal_built(built_sample, tmp_path_factory):
    """The built sample with the sample events imported and a CF model trained (read-only)."""
    target = tmp_path_factory.mktemp("personal") / "data"
    shutil.copytree(built_sample, target)
    result = prepare(target)
    return target, result


@pytest.fixture
def personal_dir(personal_built, tmp_path):
    """A private, modifiable copy of :func:`personal_built`."""
    target = tmp_path / "data"
    shutil.copytree(personal_built[0], target)
    return target
