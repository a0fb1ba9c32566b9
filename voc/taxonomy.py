"""The taxonomy and the signal lexicons, loaded from editable YAML and validated on load.

No Python code names an irritant: codes, labels, stages, cues and examples all come from
`voc/resources/taxonomy.yaml` (or the user's copy), and language signals (negators,
intensifiers, emotion, irony, effort and sentiment cues) from `signals.yaml`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from voc.cues import CueError, parse_cue

RESOURCES = Path(__file__).resolve().parent / "resources"
DEFAULT_TAXONOMY = RESOURCES / "taxonomy.yaml"
DEFAULT_SIGNALS = RESOURCES / "signals.yaml"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class TaxonomyError(ValueError):
    """The taxonomy or signals file is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    description: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Code:
    """An irritant or an enchantement."""

    code: str
    kind: str  # "irritant" | "enchantement"
    label: str
    stage: str
    description: str
    cues: tuple[str, ...]
    examples: tuple[str, ...]
    effort: float = 0.0
    emotions: dict[str, float] = field(default_factory=dict)
    retired: bool = False


@dataclass(frozen=True)
class Emotion:
    code: str
    label: str
    description: str


@dataclass(frozen=True)
class Taxonomy:
    version: int
    stages: tuple[Stage, ...]
    codes: tuple[Code, ...]
    emotions: tuple[Emotion, ...]
    digest: str
    path: str

    @property
    def active(self) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if not c.retired)

    def active_of(self, kind: str) -> tuple[Code, ...]:
        return tuple(c for c in self.active if c.kind == kind)

    def code(self, code: str) -> Code:
        for c in self.codes:
            if c.code == code:
                return c
        raise KeyError(code)

    def label(self, code: str) -> str:
        """French label of any code (stage, irritant, enchantement or emotion)."""
        for group in (self.stages, self.codes, self.emotions):
            for item in group:
                if item.code == code:
                    return item.label
        return code


@dataclass(frozen=True)
class Signals:
    negators: tuple[str, ...]
    question_openers: tuple[str, ...]
    hypothesis_markers: tuple[str, ...]
    no_problem: tuple[str, ...]
    intensifiers: dict[str, float]
    emotions: dict[str, dict[str, float]]
    irony: dict[str, float]
    effort: dict[str, float]
    sentiment_positive: dict[str, float]
    sentiment_negative: dict[str, float]
    digest: str
    path: str


def _read(path: Path) -> tuple[dict[str, Any], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaxonomyError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise TaxonomyError(f"{path} is not valid YAML{where}; fix the syntax and retry.") from None
    if not isinstance(data, dict):
        raise TaxonomyError(f"{path} must hold a mapping at the top level.")
    return data, hashlib.sha256(raw).hexdigest()[:12]


def _text(entry: dict, key: str, where: str, required: bool = True) -> str:
    value = entry.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise TaxonomyError(f"{where}: '{key}' must be a non-empty string.")
    return value.strip()


def _cues(values: Any, where: str, key: str = "cues") -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list):
        raise TaxonomyError(f"{where}: '{key}' must be a list of cue patterns.")
    for cue in values:
        try:
            parse_cue(cue)
        except CueError as exc:
            raise TaxonomyError(f"{where}: {exc}.") from None
    return tuple(values)


def _weights(values: Any, where: str) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise TaxonomyError(f"{where} must map cue patterns to weights.")
    out: dict[str, float] = {}
    for cue, weight in values.items():
        cue = str(cue)
        try:
            parse_cue(cue)
        except CueError as exc:
            raise TaxonomyError(f"{where}: {exc}.") from None
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
            raise TaxonomyError(f"{where}: weight of {cue!r} must be a number in (0, 1], got {weight!r}.")
        out[cue] = float(weight)
    return out


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate a taxonomy file; raise TaxonomyError with one clear sentence."""
    path = Path(path) if path else DEFAULT_TAXONOMY
    data, digest = _read(path)
    version = data.get("version", 1)
    stages: list[Stage] = []
    for i, entry in enumerate(data.get("stages") or []):
        where = f"{path} stages[{i}]"
        if not isinstance(entry, dict):
            raise TaxonomyError(f"{where} must be a mapping.")
        code = _text(entry, "code", where)
        if not _CODE.match(code):
            raise TaxonomyError(f"{where}: code {code!r} must be lower-case letters, digits and '_'.")
        stages.append(Stage(code, _text(entry, "label", where), _text(entry, "description", where, False),
                            _cues(entry.get("cues"), f"{path} stage {code}")))
    if not stages:
        raise TaxonomyError(f"{path} defines no stages.")
    stage_codes = {s.code for s in stages}
    if len(stage_codes) != len(stages):
        raise TaxonomyError(f"{path}: two stages share a code.")
    emotions: list[Emotion] = []
    for i, entry in enumerate(data.get("emotions") or []):
        where = f"{path} emotions[{i}]"
        if not isinstance(entry, dict):
            raise TaxonomyError(f"{where} must be a mapping.")
        emotions.append(Emotion(_text(entry, "code", where), _text(entry, "label", where),
                                _text(entry, "description", where, False)))
    emotion_codes = {e.code for e in emotions}
    codes: list[Code] = []
    seen: set[str] = set(stage_codes) | emotion_codes
    for kind, key in (("irritant", "irritants"), ("enchantement", "enchantements")):
        for i, entry in enumerate(data.get(key) or []):
            where = f"{path} {key}[{i}]"
            if not isinstance(entry, dict):
                raise TaxonomyError(f"{where} must be a mapping.")
            code = _text(entry, "code", where)
            where = f"{path} {kind} {code}"
            if not _CODE.match(code):
                raise TaxonomyError(f"{where}: code must be lower-case letters, digits and '_'.")
            if code in seen:
                raise TaxonomyError(f"{where}: code {code!r} is defined twice.")
            seen.add(code)
            stage = _text(entry, "stage", where)
            if stage not in stage_codes:
                raise TaxonomyError(f"{where}: stage {stage!r} is not one of {sorted(stage_codes)}.")
            examples = entry.get("examples") or []
            if not isinstance(examples, list) or not all(isinstance(x, str) and x.strip() for x in examples):
                raise TaxonomyError(f"{where}: 'examples' must be a list of sentences.")
            retired = bool(entry.get("retired", False))
            cues = _cues(entry.get("cues"), where)
            if not retired and not cues and not examples:
                raise TaxonomyError(f"{where}: an active code needs cues or examples.")
            effort = entry.get("effort", 0.0)
            if isinstance(effort, bool) or not isinstance(effort, int | float) or not 0 <= effort <= 1:
                raise TaxonomyError(f"{where}: 'effort' must be a number between 0 and 1.")
            priors = entry.get("emotions") or {}
            if not isinstance(priors, dict):
                raise TaxonomyError(f"{where}: 'emotions' must map emotion codes to weights.")
            for emotion, weight in priors.items():
                if emotion_codes and emotion not in emotion_codes:
                    raise TaxonomyError(f"{where}: unknown emotion {emotion!r}.")
                if not isinstance(weight, int | float) or not 0 <= weight <= 1:
                    raise TaxonomyError(f"{where}: emotion weight of {emotion!r} must be between 0 and 1.")
            codes.append(Code(code, kind, _text(entry, "label", where), stage,
                              _text(entry, "description", where, False), cues,
                              tuple(x.strip() for x in examples), float(effort),
                              {k: float(v) for k, v in priors.items()}, retired))
    if not any(c.kind == "irritant" for c in codes):
        raise TaxonomyError(f"{path} defines no irritants.")
    return Taxonomy(int(version), tuple(stages), tuple(codes), tuple(emotions), digest, str(path))


def load_signals(path: Path | str | None = None, emotion_codes: set[str] | None = None) -> Signals:
    """Read and validate the signal lexicons; emotion keys must be taxonomy emotion codes."""
    path = Path(path) if path else DEFAULT_SIGNALS
    data, digest = _read(path)

    def phrases(key: str) -> tuple[str, ...]:
        values = data.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise TaxonomyError(f"{path}: '{key}' must be a list of words or phrases.")
        return tuple(v.strip() for v in values)

    emotions_raw = data.get("emotions") or {}
    if not isinstance(emotions_raw, dict):
        raise TaxonomyError(f"{path}: 'emotions' must map emotion codes to cue weights.")
    emotions: dict[str, dict[str, float]] = {}
    for code, cues in emotions_raw.items():
        if emotion_codes is not None and code not in emotion_codes:
            raise TaxonomyError(f"{path}: emotion {code!r} is not in the taxonomy.")
        emotions[code] = _weights(cues, f"{path} emotions.{code}")
    sentiment = data.get("sentiment") or {}
    if not isinstance(sentiment, dict):
        raise TaxonomyError(f"{path}: 'sentiment' must have 'positive' and 'negative' lexicons.")
    return Signals(
        negators=phrases("negators"),
        question_openers=phrases("question_openers"),
        hypothesis_markers=phrases("hypothesis_markers"),
        no_problem=phrases("no_problem"),
        intensifiers=_weights(data.get("intensifiers"), f"{path} intensifiers"),
        emotions=emotions,
        irony=_weights(data.get("irony"), f"{path} irony"),
        effort=_weights(data.get("effort"), f"{path} effort"),
        sentiment_positive=_weights(sentiment.get("positive"), f"{path} sentiment.positive"),
        sentiment_negative=_weights(sentiment.get("negative"), f"{path} sentiment.negative"),
        digest=digest,
        path=str(path),
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m voc.taxonomy [TAXONOMY] [SIGNALS]`: validate and compile every cue."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    taxonomy_path = args[0] if args else None
    signals_path = args[1] if len(args) > 1 else None
    try:
        taxonomy = load_taxonomy(taxonomy_path)
        signals = load_signals(signals_path, {e.code for e in taxonomy.emotions} or None)
        from voc.french import load_french

        french = load_french()
        problems = french.check_cues(taxonomy, signals)
    except TaxonomyError as exc:
        print(exc, file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    n_cues = sum(len(c.cues) for c in taxonomy.codes) + sum(len(s.cues) for s in taxonomy.stages)
    n_signal = sum(len(v) for v in signals.emotions.values()) + len(signals.irony) + len(signals.effort)
    print(f"OK: {len(taxonomy.codes)} codes, {n_cues} taxonomy cues, "
          f"{sum(len(c.examples) for c in taxonomy.codes)} examples, {n_signal} signal cues "
          f"(taxonomy {taxonomy.digest}, signals {signals.digest}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
