"""Staff-written templates, rendered in a locked-down Jinja2 sandbox.

A separate environment from bot.texts: SandboxedEnvironment, autoescape on, StrictUndefined.
Before a template is compiled its syntax tree is checked against an allow-list (output, `if`,
`for`, plain expressions, a few filters and our own functions; no `set`, macros, imports,
underscore names or method calls), the literal text is escaped, so staff markup shows as
written, and every loop is wrapped in a guard that counts iterations against one budget and a
deadline. Output is streamed and cut off at a cap; the whole render runs in a worker thread
with a timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
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
RENDER_SECONDS: Final = 1.0

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

    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, trim_blocks=True)
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
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and (
                    len(seq) * times > MAX_OUTPUT
                ):
                    raise TemplateRefused("output", str(MAX_OUTPUT))
        return self.binop_table[operator](left, right)

    def compile_checked(self, source: str) -> Any:
        """Check and compile a staff template, or raise TemplateRefused."""
        if len(source) > MAX_SOURCE:
            raise TemplateRefused("source", str(MAX_SOURCE))
        try:
            tree = self.parse(source)
        except TemplateSyntaxError as exc:
            raise TemplateRefused("syntax", exc.message or "", exc.lineno) from None
        _check(tree, depth=0)
        for node in tree.find_all(nodes.TemplateData):
            node.data = str(escape(node.data))
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_GUARD, "load"), [loop.iter], [], None, None)
        try:
            return self.from_string(tree)
        except TemplateSyntaxError as exc:  # an unknown filter or test
            raise TemplateRefused("syntax", exc.message or "", exc.lineno) from None


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
        raise TemplateRefused("undefined", str(exc.message or "")[:100]) from None
    except SecurityError as exc:
        raise TemplateRefused("security", str(exc)[:100]) from None
    except Exception as exc:  # a staff template's own mistake: 1/0, "a" + 1, int("x")
        raise TemplateRefused("error", type(exc).__name__) from None
    text = "".join(pieces).strip()
    if not text:
        raise TemplateRefused("empty")
    return text


async def render(
    source: str,
    variables: dict[str, Any],
    functions: dict[str, Callable[..., Any]],
    *,
    seconds: float = RENDER_SECONDS,
) -> str:
    """Render in a worker thread and give up after `seconds` (the guard stops the thread)."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(render_now, source, variables, functions, seconds=seconds),
            timeout=seconds + 1.0,
        )
    except TimeoutError:
        raise TemplateRefused("timeout") from None
