"""The tiny instance with Chinese names, for the tests of the Chinese charts and pages."""

from __future__ import annotations

from planner import examples

#: tiny's villages with two of Nuanshui's Chinese names (暖水村, 圪秋沟村)
VILLAGES_ZH = [
    {"id": "east", "name": "East", "name_zh": "暖水村", "labour_pool": {"residents": 20, "outside": 5, "returning": 5}},
    {
        "id": "west",
        "name": "West",
        "name_zh": "圪秋沟村",
        "labour_pool": {"residents": 10, "outside": 5, "returning": 5},
    },
]


def tiny_zh():
    """tiny with Chinese village names and the township's Chinese name 小乡."""
    return examples.tiny().replace(villages=VILLAGES_ZH, **{"township.name_zh": "小乡"})


def chromium_or_fail_in_ci() -> None:
    """As tests/test_report.py's screenshot test: Chromium is a system package, so on a
    machine without it the test is skipped; CI (CI=true) installs it in .ci/run, and there
    a missing Chromium fails the test instead."""
    import os

    import pytest

    from planner.report import chromium

    try:
        chromium.find_chromium()
    except RuntimeError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Chromium is missing: {exc}")
        pytest.skip(f"Chromium is not installed (the test runs in CI): {exc}")
