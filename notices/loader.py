"""Load and validate the notice data files, all or nothing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from notices.kb import KnowledgeBase
from notices.models import Cycle, KnowledgeBaseError, Lexicon, RegionsFile

DATA_DIR = Path(__file__).parent / "data"
REGIONS_FILE = "regions.yaml"
LEXICON_FILE = "lexicon.yaml"
_CYCLE_NAME = re.compile(r"^(\d{4})\.yaml$")
_LABEL_KEYS = ("id", "code", "step", "mode")
# The bundled files are tens of kilobytes; a file a hundred times that is a mistake, and
# parsing it would hold the reload (and memory) for nothing.
MAX_FILE_BYTES = 4 * 1024 * 1024
M = TypeVar("M", bound=BaseModel)


# libyaml's parser is about ten times faster than the pure-Python one (load-time target).
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe loader that leaves dates as text so pydantic validates (and reports) them, and
    rejects a key given twice in one mapping (YAML would keep the last one silently: a
    second "审核结果:" among the synonyms would drop the first one's variants)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark,
                        f"the key {key!r} is given twice", key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """Load, validate and cross-check a notice directory into a new KnowledgeBase."""
    folder = Path(directory) if directory is not None else DATA_DIR
    if not folder.is_dir():
        raise KnowledgeBaseError(f"{folder}: not a directory")
    cycles = sorted(
        (int(m.group(1)), p)
        for p in folder.iterdir()
        if (m := _CYCLE_NAME.match(p.name)) and p.is_file()
    )
    if not cycles:
        raise KnowledgeBaseError(f"{folder}: no cycle file named <year>.yaml")
    _, cycle_path = cycles[-1]
    regions = _parse(folder / REGIONS_FILE, RegionsFile)
    lexicon = _parse(folder / LEXICON_FILE, Lexicon)
    cycle = _parse(cycle_path, Cycle)
    notice_path = folder / cycle.notice_file
    notice = _read_text(notice_path)
    return KnowledgeBase.build(
        cycle=cycle,
        regions=regions.regions,
        lexicon=lexicon,
        notice_text=notice,
        file_name=cycle_path.name,
    )


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise KnowledgeBaseError(
                f"{path.name}: too large ({size / 2**20:.1f} MB; at most "
                f"{MAX_FILE_BYTES // 2**20} MB)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(f"{path.name}: cannot read: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(
            f"{path.name}: not UTF-8 (byte {exc.start}: {raw[exc.start:exc.start + 1]!r})"
        ) from exc


def _parse(path: Path, model: type[M]) -> M:
    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path.name}: YAML syntax error{_yaml_problem(text, exc)}") \
            from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{path.name}: expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeBaseError(describe_error(path.name, data, exc)) from exc


def _yaml_problem(text: str, exc: yaml.YAMLError) -> str:
    """Return " at line L, column C: problem" on one line, wherever YAML found it."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML refuses, before parsing
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        where, problem = f" at line {line}, column {column}", str(exc.reason)
        char = exc.character
        code = char if isinstance(char, int) else ord(char) if char else None
        if code is not None:
            problem += f" (#x{code:04x})"
    else:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
    return f"{where}: {' '.join(str(problem).split())}"


def describe_error(file_name: str, data: Any, exc: ValidationError) -> str:
    """Return "file: entries[3] (id=x): field 'source': message" for the first error."""
    error = exc.errors()[0]
    loc = list(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "is required"
    elif isinstance(error.get("input"), str | int | float) and not isinstance(
        error.get("input"), bool
    ):
        message += f" (got {str(error['input'])[:60]!r})"
    where: list[str] = []
    node: Any = data
    rest = loc
    # Walk "key[index]" pairs while they lead to mapping items, labelling each item.
    while len(rest) >= 2 and isinstance(rest[0], str) and isinstance(rest[1], int):
        key, index = rest[0], rest[1]
        items = node.get(key) if isinstance(node, dict) else None
        item = items[index] if isinstance(items, list) and index < len(items) else None
        if not isinstance(item, dict):
            break
        label = _label(item)
        where.append(f"{key}[{index}]" + (f" ({label})" if label else ""))
        node, rest = item, rest[2:]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    place = ": ".join([file_name, *where])
    return f"{place}: field '{field or '(top level)'}': {message}"


def _label(item: Any) -> str:
    if isinstance(item, dict):
        for key in _LABEL_KEYS:
            if key in item:
                return f"{key}={item[key]}"
    return ""


def squash(text: str) -> str:
    """Return text without whitespace, NFKC-folded, for verbatim source checks."""
    return "".join(unicodedata.normalize("NFKC", text).split())
