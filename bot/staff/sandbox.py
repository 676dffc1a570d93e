"""Staff-written templates, rendered in a locked-down Jinja2 sandbox.

A separate environment from bot.texts: SandboxedEnvironment, autoescape on, StrictUndefined.
Before a template is compiled its syntax tree is checked against an allow-list (output, `if`,
`for`, plain expressions, a few filters and our own functions; no `set`, macros, imports,
underscore names or method calls), the literal text is escaped, so staff markup shows as
written, and every loop is wrapped in a guard that counts iterations against one budget and a
deadline. Every value a template builds is bounded before it is built (`*`, `+` and `**`
check the size of the result, nested containers included; `%` formatting of strings is
refused), and only scalars may be output: a method, a function or a list is refused, not
shown as its repr. Output is streamed and cut off at a cap.

`render` runs the whole render in a child process (`python -m bot.staff.sandbox`) with an
address-space, CPU-time and output limit, killed after a deadline: C-level work that a
bound missed can neither hold the event loop's GIL nor keep memory once it is refused.
The child needs nothing but Jinja2; template functions reach it as tables of their values.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from jinja2 import (
    StrictUndefined,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    nodes,
    pass_context,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

MAX_SOURCE: Final = 2000
MAX_OUTPUT: Final = 3500  # well under Telegram's 4096, room for nothing else to be added
MAX_RANGE: Final = 1000
MAX_ITERATIONS: Final = 5000
MAX_LOOP_DEPTH: Final = 2
MAX_EXPONENT: Final = 64
MAX_INT_BITS: Final = 512
# The size of any value a template builds: characters of its strings plus items, nested.
MAX_VALUE: Final = MAX_OUTPUT
RENDER_SECONDS: Final = 1.0
# The child process: its address space, CPU seconds, and the parent's wait beyond the render
# budget (the interpreter and Jinja2 start in about 0.2 s).
CHILD_MEMORY: Final = 128 * 1024 * 1024
CHILD_CPU_SECONDS: Final = 3
CHILD_STARTUP_SECONDS: Final = 3.0
CHILD_COMMAND: list[str] = [sys.executable, "-I", "-m", "bot.staff.sandbox"]
# Children at once: a staff member's burst of previews queues instead of forking many.
_CHILDREN = asyncio.Semaphore(2)
Scalar = str | int | float | bool

FUNCTIONS: Final = frozenset({"range", "deadline", "days_left"})
FILTERS: Final = frozenset(
    {"upper", "lower", "title", "capitalize", "trim", "default", "d", "length", "count",
     "first", "last", "join", "int", "abs", "round", "string", "truncate", "e", "escape"}
)
_GUARD: Final = "loop_guard__"
_ALLOWED_NODES: Final = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name, nodes.Call,
    nodes.Filter, nodes.Test, nodes.If, nodes.For, nodes.CondExpr, nodes.Compare,
    nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Add,
    nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Concat,
    nodes.List, nodes.Tuple, nodes.Getitem, nodes.Getattr, nodes.Slice, nodes.Keyword,
)
_STATEMENTS: Final = {
    nodes.Assign: "set", nodes.AssignBlock: "set", nodes.Macro: "macro",
    nodes.CallBlock: "call", nodes.Import: "import", nodes.FromImport: "from",
    nodes.Include: "include", nodes.Extends: "extends", nodes.Block: "block",
    nodes.FilterBlock: "filter", nodes.With: "with", nodes.ExprStmt: "do",
    nodes.Scope: "scope", nodes.Break: "break", nodes.Continue: "continue",
}


class TemplateRefused(Exception):
    """A staff template that may not be rendered; `code` names the reason for the reply."""

    def __init__(self, code: str, detail: str = "", line: int | None = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.line = line
        self.peak_kib: int | None = None  # the child's peak memory, when a child refused


class _Budget:
    """Loop iterations and time one render may spend."""

    def __init__(self, seconds: float) -> None:
        self.left = MAX_ITERATIONS
        self.deadline = time.monotonic() + seconds

    def tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise TemplateRefused("iterations", str(MAX_ITERATIONS))
        if time.monotonic() > self.deadline:
            raise TemplateRefused("timeout")

    def guard(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.tick()
            yield item

    def range(self, *args: int) -> Iterator[int]:
        if not args or len(args) > 3 or not all(isinstance(a, int) for a in args):
            raise TemplateRefused("range", str(MAX_RANGE))
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise TemplateRefused("range", str(MAX_RANGE))
        return self.guard(numbers)


class StaffSandbox(SandboxedEnvironment):
    """The environment for staff templates: see the module docstring for what it refuses."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(
            autoescape=True, undefined=StrictUndefined, trim_blocks=True, finalize=_scalar_only
        )
        self.globals.clear()  # no cycler, joiner, namespace, lipsum, dict
        self.filters = {name: f for name, f in self.filters.items() if name in FILTERS}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return not attr.startswith("_") and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and (
            not isinstance(right, int | float) or abs(right) > MAX_EXPONENT
            or not isinstance(left, int | float) or abs(left) > 10**6
        ):
            raise TemplateRefused("number")
        if operator == "%" and isinstance(left, str):
            # '%999999999d' % 1 builds gigabytes in one C call: no string formatting at all.
            raise TemplateRefused("format", "%")
        if operator == "*":
            _check_product(left, right)
        if operator == "+" and _is_sequence(left) and _is_sequence(right):
            _check_size(_size(left, MAX_VALUE) + _size(right, MAX_VALUE))
        return self.binop_table[operator](left, right)

    def checked_tree(self, source: str) -> nodes.Template:
        """Parse and check a staff template; return its syntax tree, not yet compiled."""
        if len(source) > MAX_SOURCE:
            raise TemplateRefused("source", str(MAX_SOURCE))
        try:
            tree = self.parse(source)
        except TemplateSyntaxError as exc:
            raise TemplateRefused("syntax", exc.message or "", exc.lineno) from None
        _check(tree, depth=0)
        return tree

    def compile_checked(self, source: str) -> Any:
        """Check and compile a staff template, or raise TemplateRefused."""
        tree = self.checked_tree(source)
        for node in tree.find_all(nodes.TemplateData):
            node.data = str(escape(node.data))
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_GUARD, "load"), [loop.iter], [], None, None)
        try:
            return self.from_string(tree)
        except TemplateSyntaxError as exc:  # an unknown filter or test
            raise TemplateRefused("syntax", exc.message or "", exc.lineno) from None


def _is_sequence(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


def _size(value: Any, limit: int) -> int:
    """Return the size of a value (characters and items, nested), stopping past `limit`."""
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, list | tuple):
        return 1
    total = len(value)
    for item in value:
        if total > limit:
            break
        total += _size(item, limit - total) if isinstance(item, str | list | tuple) else 0
    return total


def _check_size(size: int) -> None:
    if size > MAX_VALUE:
        raise TemplateRefused("output", str(MAX_OUTPUT))


def _check_product(left: Any, right: Any) -> None:
    """Refuse a product whose result would be too big, before Python builds it."""
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateRefused("number")
        return
    for seq, times in ((left, right), (right, left)):
        if _is_sequence(seq) and isinstance(times, int):
            _check_size(_size(seq, MAX_VALUE) * max(times, 0))


@pass_context  # never folded at compile time, where Jinja escapes a constant before this
def _scalar_only(_context: Context, value: Any) -> Any:
    """Let only text and numbers reach the output: no method, function or container reprs."""
    if isinstance(value, str | int | float) and not callable(value):
        return value
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined: raises UndefinedError, named after the variable
    raise TemplateRefused("value", type(value).__name__)


def _check(node: nodes.Node, *, depth: int) -> None:
    line = getattr(node, "lineno", None)
    for kind, tag in _STATEMENTS.items():
        if isinstance(node, kind):
            raise TemplateRefused("tag", tag, line)
    if not isinstance(node, _ALLOWED_NODES):
        raise TemplateRefused("tag", type(node).__name__.lower(), line)
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        raise TemplateRefused("attribute", node.attr, line)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and (
        isinstance(node.arg.value, str) and node.arg.value.startswith("_")
    ):
        raise TemplateRefused("attribute", node.arg.value, line)
    if isinstance(node, nodes.Name) and node.name.startswith("_"):
        raise TemplateRefused("attribute", node.name, line)
    if isinstance(node, nodes.Call) and (
        not isinstance(node.node, nodes.Name) or node.node.name not in FUNCTIONS
        or node.dyn_args is not None or node.dyn_kwargs is not None
    ):
        name = str(getattr(node.node, "name", None) or getattr(node.node, "attr", "…"))
        raise TemplateRefused("call", name, line)
    if isinstance(node, nodes.Filter) and node.name not in FILTERS:
        raise TemplateRefused("filter", node.name, line)
    if isinstance(node, nodes.For):
        if node.recursive:
            raise TemplateRefused("tag", "recursive", line)
        depth += 1
        if depth > MAX_LOOP_DEPTH:
            raise TemplateRefused("depth", str(MAX_LOOP_DEPTH), line)
    for child in node.iter_child_nodes():
        _check(child, depth=depth)


_SANDBOX = StaffSandbox()


_UNDEFINED_NAME: Final = re.compile(r"'([^']*)' (?:is undefined|has no attribute)")


def check_template(source: str) -> Any:
    """Compile a staff template after checking it; raise TemplateRefused when refused."""
    return _SANDBOX.compile_checked(source)


def render_now(
    source: str,
    variables: dict[str, Any],
    functions: dict[str, Callable[..., Any]],
    *,
    seconds: float = RENDER_SECONDS,
) -> str:
    """Render a staff template in this thread under the loop, time and output limits."""
    template = check_template(source)
    budget = _Budget(seconds)
    context = {**variables, **functions, "range": budget.range, _GUARD: budget.guard}
    pieces: list[str] = []
    size = 0
    try:
        for piece in template.generate(context):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise TemplateRefused("output", str(MAX_OUTPUT))
            pieces.append(piece)
            budget.tick()
    except TemplateRefused:
        raise
    except UndefinedError as exc:
        # Jinja's message is English ("'x' is undefined"); staff read the name in their own.
        name = _UNDEFINED_NAME.search(str(exc.message or ""))
        raise TemplateRefused("undefined", name.group(1)[:100] if name else "") from None
    except SecurityError as exc:
        raise TemplateRefused("security", str(exc)[:100]) from None
    except Exception as exc:  # a staff template's own mistake: 1/0, "a" + 1, int("x")
        raise TemplateRefused("error", type(exc).__name__) from None
    text = "".join(pieces).strip()
    if not text:
        raise TemplateRefused("empty")
    return text


def literal_arguments(source: str) -> set[str]:
    """Return the constant text arguments the template passes to its functions."""
    found: set[str] = set()
    for call in _SANDBOX.checked_tree(source).find_all(nodes.Call):
        found.update(
            str(arg.value) for arg in call.args if isinstance(arg, nodes.Const)
            and isinstance(arg.value, str | int)
        )
    return found


@dataclass(frozen=True, slots=True)
class Values:
    """What one render may read: scalar variables, and one-argument functions as tables.

    A function the child calls with an argument its table lacks refuses with `missing`."""

    variables: Mapping[str, Scalar]
    tables: Mapping[str, Mapping[str, Scalar]] = field(default_factory=dict)
    missing: str = "argument"


@dataclass(frozen=True, slots=True)
class ChildResult:
    """The texts one child rendered, and its peak resident memory in KiB."""

    texts: list[str]
    peak_kib: int


def _functions(values: Values) -> dict[str, Callable[..., Any]]:
    def lookup(name: str, table: Mapping[str, Scalar]) -> Callable[..., Any]:
        def call(argument: Any) -> Scalar:
            key = str(argument)
            if key not in table:
                raise TemplateRefused(values.missing, key[:30])
            return table[key]

        call.__name__ = name
        return call

    return {name: lookup(name, table) for name, table in values.tables.items()}


def _render_all(source: str, values: Sequence[Values], seconds: float) -> list[str]:
    return [render_now(source, dict(v.variables), _functions(v), seconds=seconds) for v in values]


def _limit_child() -> None:
    """Cap this (child) process before it reads a template: memory, CPU and files."""
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def child_main() -> int:
    """Render the request on stdin in this process and write the outcome to stdout."""
    _limit_child()
    request = json.loads(sys.stdin.buffer.read(MAX_SOURCE * 8 + 1_000_000))
    values = [Values(v["variables"], v["tables"], v["missing"]) for v in request["values"]]
    try:
        answer: dict[str, Any] = {"texts": _render_all(request["source"], values,
                                                        float(request["seconds"]))}
    except TemplateRefused as exc:
        answer = {"refused": [exc.code, exc.detail, exc.line]}
    except MemoryError:
        answer = {"refused": ["memory", "", None]}
    answer["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode())
    return 0


async def run_child(
    source: str, values: Sequence[Values], *, seconds: float = RENDER_SECONDS
) -> ChildResult:
    """Render once per `values` in a limited child process; raise TemplateRefused."""
    check_template(source)  # refuse early, without a process, what the checks can see
    request = json.dumps({
        "source": source, "seconds": seconds,
        "values": [{"variables": dict(v.variables),
                    "tables": {k: dict(t) for k, t in v.tables.items()},
                    "missing": v.missing} for v in values],
    }, ensure_ascii=False).encode()
    cap = (MAX_OUTPUT * 4 + 200) * max(1, len(values)) + 1000
    async with _CHILDREN:
        process = await asyncio.create_subprocess_exec(
            *CHILD_COMMAND, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, env={"PATH": os.environ.get("PATH", "")},
        )
        try:
            async with asyncio.timeout(seconds * max(1, len(values)) + CHILD_STARTUP_SECONDS):
                output = await _exchange(process, request, cap)
                await process.wait()
        except TimeoutError:
            raise TemplateRefused("timeout") from None
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    try:
        answer = json.loads(output)
    except ValueError:  # killed by a limit, or cut off at the cap
        raise TemplateRefused("memory") from None
    if "refused" in answer:
        code, detail, line = answer["refused"]
        refused = TemplateRefused(str(code), str(detail), line)
        refused.peak_kib = int(answer["peak_kib"])
        raise refused
    return ChildResult([str(t) for t in answer["texts"]], int(answer["peak_kib"]))


async def _exchange(process: asyncio.subprocess.Process, request: bytes, cap: int) -> bytes:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(request)
    with contextlib.suppress(ConnectionResetError):  # a child that died says so below
        await process.stdin.drain()
    process.stdin.close()
    return await process.stdout.read(cap)


async def render(source: str, values: Values, *, seconds: float = RENDER_SECONDS) -> str:
    """Render a staff template in a limited child process; raise TemplateRefused."""
    return (await run_child(source, [values], seconds=seconds)).texts[0]


if __name__ == "__main__":
    sys.exit(child_main())
