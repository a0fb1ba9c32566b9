"""The taxonomy and signal files: shipped content, validation errors, and editing without Python."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from voc.cues import CueError, fold, parse_cue
from voc.taxonomy import DEFAULT_SIGNALS, DEFAULT_TAXONOMY, TaxonomyError, load_signals, load_taxonomy

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "taxonomy.md"


def test_shipped_taxonomy_has_every_code_of_the_spec():
    taxonomy = load_taxonomy()
    codes = {c.code for c in taxonomy.codes}
    stages = {s.code for s in taxonomy.stages}
    emotions = {e.code for e in taxonomy.emotions}
    assert stages == {"decouverte", "achat", "livraison", "usage", "facturation", "service_client", "resiliation"}
    assert len([c for c in taxonomy.codes if c.kind == "irritant"]) == 28
    assert len([c for c in taxonomy.codes if c.kind == "enchantement"]) == 8
    assert len(emotions) == 10
    if SPEC.is_file():  # the product spec, beside the clone in CI
        spec_codes = set(re.findall(r"^\| `([a-z_]+)` \|", SPEC.read_text(encoding="utf-8"), re.M))
        assert spec_codes == codes | stages | emotions
    for code in taxonomy.codes:
        assert len(code.examples) >= 5, code.code
        assert code.cues, code.code


def test_shipped_signals_load_and_cover_every_emotion():
    taxonomy = load_taxonomy()
    signals = load_signals(emotion_codes={e.code for e in taxonomy.emotions})
    assert set(signals.emotions) == {e.code for e in taxonomy.emotions}
    assert "pas" in signals.negators
    assert signals.sentiment_positive and signals.sentiment_negative


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _base() -> dict:
    return yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["irritants"][0].update(stage="nulle_part"), "stage 'nulle_part' is not one of"),
    (lambda d: d["irritants"].append(dict(d["irritants"][0])), "is defined twice"),
    (lambda d: d["irritants"][0].update(code="Pas Bien"), "lower-case letters"),
    (lambda d: d["irritants"][0].update(cues=["..."]), "cannot start with '...'"),
    (lambda d: d["irritants"][0].update(effort=3), "'effort' must be a number between 0 and 1"),
    (lambda d: d["irritants"][0].update(emotions={"rage": 0.4}), "unknown emotion 'rage'"),
    (lambda d: d["irritants"][0].update(cues=[], examples=[]), "needs cues or examples"),
])
def test_invalid_taxonomy_is_refused_with_one_clear_sentence(tmp_path, mutate, message):
    data = _base()
    mutate(data)
    with pytest.raises(TaxonomyError) as excinfo:
        load_taxonomy(_write(tmp_path, data))
    text = str(excinfo.value)
    assert message in text
    assert str(tmp_path) in text and "\n" not in text


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text("version: 1\nstages:\n  - code: [unclosed\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML at line"):
        load_taxonomy(path)


def test_signals_weights_are_checked(tmp_path):
    data = yaml.safe_load(DEFAULT_SIGNALS.read_text(encoding="utf-8"))
    data["irony"] = {"bravo": 4}
    path = tmp_path / "signals.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"weight of 'bravo' must be a number in \(0, 1\]"):
        load_signals(path)


def test_cue_syntax():
    tokens = parse_cue("toujours? pas livr*|recevoir ... <num> jour")
    assert [t.kind for t in tokens] == ["words", "words", "words", "gap", "num", "words"]
    assert tokens[0].optional and tokens[2].prefixes == ("livr",) and tokens[2].words == ("recevoir",)
    for bad in ["", "...", "a ...", "li*", "x? y?"]:
        with pytest.raises(CueError):
            parse_cue(bad)


def test_fold_strips_accents_and_elongations_but_keeps_emojis():
    assert fold("Éléctricité") == "electricite"
    assert fold("NUUUUL") == "nul"
    assert fold("😡😡") == "😡😡"
    assert fold("coopération") == "cooperation"
