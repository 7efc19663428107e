"""The tiny instance with Chinese names, for the tests of the Chinese charts and pages."""

from __future__ import annotations

from apphelpers import chromium_or_fail_in_ci  # noqa: F401  (re-exported: one skip rule for every browser test)

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
