"""The one registry of words a planner reads (planner.core.labels): every use, cover, role,
rule family, service, KPI and status the Nuanshui instance and the model carry has an
English and a Chinese label; villages and projects are named by the instance."""

from __future__ import annotations

import re

import pytest

import planner
from planner.core import labels
from planner.core.kpis import KPIS
from planner.core.status import STATUSES
from planner.model.rules import families

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def li():
    return planner.load_instance("instances/nuanshui.yaml")


def _kinds(li) -> dict[str, list[str]]:
    return {
        "use": list(li.library.uses),
        "cover": list(li.library.covers),
        "role": [r.id for r in li.instance.roles],
        "rule": [f.FAMILY for f in families()],
        "service": [s.id for s in li.library.services],
        "kpi": [k.id for k in KPIS],
        "status": list(STATUSES),
    }


def test_every_word_has_english_and_chinese(li):
    missing, not_chinese = [], []
    for kind, keys in _kinds(li).items():
        for key in keys:
            if not labels.known(kind, key):
                missing.append((kind, key))
            elif not CJK.search(labels.term(kind, key, "zh")):
                not_chinese.append((kind, key))
            else:
                assert not CJK.search(labels.term(kind, key, "en")), (kind, key)
    assert missing == [] and not_chinese == []


def test_unknown_ids_come_back_as_plain_words_and_bad_languages_are_named():
    assert labels.term("use", "new_orchard_type", "zh") == "new orchard type"
    with pytest.raises(ValueError, match="language 'fr'"):
        labels.term("use", "ecological_forest", "fr")
    with pytest.raises(KeyError, match="no such kind"):
        labels.term("crop", "x")


def test_villages_and_projects_are_named_by_the_instance(li):
    """Nuanshui's villages carry the NBS committee names (暖水村 ...); the town has none
    official; roles without name_zh take the registry's label in Chinese."""
    v = {x.id: x for x in li.instance.villages}
    assert labels.name_of(v["nuanshui"], "zh") == "暖水村"
    assert labels.name_of(v["nuanshui"], "en") == "Nuanshui"
    assert labels.name_of(v["geqiugou"], "zh") == "圪秋沟村"
    roles = {r.id: r for r in li.instance.roles}
    assert labels.name_of(roles["forest_rangers"], "zh") == "护林员"
    assert labels.name_of(roles["forest_rangers"], "en") == "Forest rangers"
    assert labels.name_of(li.instance.township, "zh") == "暖水乡"


def test_no_word_is_defined_twice():
    """Several features add their words to TERMS["word"] in blocks of their own: a key given
    twice would silently take the later meaning (it once turned the terminal's "objective"
    into the workbook's "Objective (Yuan/yr)"). Each key of a kind is written once."""
    import ast
    import collections
    from pathlib import Path

    tree = ast.parse(Path(labels.__file__).read_text(encoding="utf-8"))
    counts: collections.Counter = collections.Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update":
            for d in node.args:
                counts.update(k.value for k in d.keys if isinstance(k, ast.Constant))
    base = labels.TERMS["word"]
    twice = [k for k, n in counts.items() if n > 1]
    # a key in an update block is also in the final dict; count the base block's own keys
    base_src = next(
        n for n in ast.walk(tree) if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "TERMS"
    )
    word_dict = next(v for k, v in zip(base_src.value.keys, base_src.value.values) if k.value == "word")
    base_keys = [k.value for k in word_dict.keys]
    twice += [k for k in base_keys if counts[k]]
    twice += [k for k, n in collections.Counter(base_keys).items() if n > 1]
    assert twice == [] and len(base) >= len(base_keys)
