from collections.abc import Iterator

import pytest

from weerbaar.conf.environ import REGISTRY, config


@pytest.fixture(autouse=True)
def _keep_registry_clean() -> Iterator[None]:
    """These tests register made-up variables; remove them so no other test sees them."""
    before = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(before)


def test_config_casts_to_the_type_of_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_TEST_INT", "42")
    monkeypatch.setenv("WB_TEST_BOOL", "yes")
    monkeypatch.setenv("WB_TEST_LIST", "a.nl, b.nl,")
    assert config("WB_TEST_INT", 1, help="x") == 42
    assert config("WB_TEST_BOOL", False, help="x") is True
    assert config("WB_TEST_LIST", ["x"], help="x") == ["a.nl", "b.nl"]
    assert config("WB_TEST_ABSENT", "default", help="documented") == "default"
    assert REGISTRY["WB_TEST_ABSENT"].help == "documented"


def test_config_rejects_a_garbled_boolean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_TEST_BOOL", "perhaps")
    with pytest.raises(ValueError, match="not a boolean"):
        config("WB_TEST_BOOL", False, help="x")


def test_every_setting_variable_is_documented() -> None:
    import weerbaar.conf.base  # noqa: F401  (registers the variables)

    assert "DATABASE_URL" in REGISTRY
    assert all(var.help for var in REGISTRY.values())
