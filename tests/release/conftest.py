"""Each release is built once per session (about a second each) and, for the slow tests, installed once
into its own fresh virtualenv."""
import pytest

from autograder.release.build import build_release
from tests.release.support import ReleaseVenv


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory):
    """release_dir(number) -> the built release folder of that notebook (built on first use)."""
    out = tmp_path_factory.mktemp("releases")
    built = {}

    def get(number):
        if number not in built:
            built[number] = build_release(number, out)
        return built[number]

    return get


@pytest.fixture(scope="session")
def release_venv(tmp_path_factory, release_dir):
    """release_venv(number) -> a fresh ReleaseVenv with that release installed (made on first use)."""
    made = {}

    def get(number):
        if number not in made:
            venv = ReleaseVenv(tmp_path_factory.mktemp(f"venv{number}"))
            venv.install(release_dir(number))
            made[number] = venv
        return made[number]

    return get
