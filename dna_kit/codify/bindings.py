"""Library bindings: a configured library object as a test's target, with no adapter to write.

``--target app.http:RETRY`` may name an object a library made from the project's settings
(``RETRY = Retry(total=settings.RETRIES, backoff_factor=...)``) instead of a function of the
project's own. A :class:`LibraryBinding` says how a generated test drives one kind of such
object for a template: Python source, rendered into the test itself, that defines the name
the template calls (``delay``, ``call`` or ``make``) from the imported object, which the test
names :data:`CONFIGURED`. The generated test still imports nothing of dna_kit: the adapter is
plain code over the library's public behaviour.

What ships, each read from the library's own semantics:

==========================  ===============================  ============================
object                      templates                        how the test drives it
==========================  ===============================  ============================
urllib3 ``Retry``           backoff_schedule, retry_limit    ``get_backoff_time()`` after
                                                             n errors (the first retry
                                                             waits 0: ``first=0``);
                                                             ``increment()`` per failed
                                                             call (``total=5``: 6 calls)
tenacity ``Retrying`` or    backoff_schedule, retry_limit    a copy runs a stub that fails,
a ``@retry`` function                                        its sleeps recorded, not slept
pybreaker                   circuit_breaker                  pybreaker's ``datetime.now()``
``CircuitBreaker``                                           reads the test's clock; its
                                                             trip error becomes the failed
                                                             call's own error
limits ``RateLimitItem``    rate_limit                       limits' moving window on a
                                                             memory storage, on the test's
                                                             clock
==========================  ===============================  ============================

The bindings are a registry built by :func:`build_binding_registry`; a plugin adds its own
through the ``dna_kit.bindings`` entry point, exactly as dna_kit adds these (see
:mod:`dna_kit.registry`)::

    [project.entry-points."dna_kit.bindings"]
    backoff = "dna_backoff:register"

    def register(bindings):
        bindings.register("backoff.on_exception", LibraryBinding(
            "backoff.on_exception", classes=("mylib.Policy",),
            adapters={"backoff_schedule": "def delay(attempt):\\n    return ...\\n"}))

>>> registry = build_binding_registry()
>>> find_library(["urllib3.util.retry.Retry", "builtins.object"], {}, "retry_limit",
...              registry=registry).name
'urllib3.Retry'
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint

from dna_kit.errors import CodifyError
from dna_kit.registry import Registry, build_registry

__all__ = ["CONFIGURED", "LibraryBinding", "build_binding_registry", "find_library",
           "register_builtin_bindings"]

#: The name a generated test imports a configured library object under; an adapter's
#: source reads the object through it.
CONFIGURED = "configured"

#: The name each template calls its target by: what an adapter must define.
ROLE_OF = {"backoff_schedule": "delay", "retry_limit": "call", "rate_limit": "make",
           "circuit_breaker": "make"}


@dataclass(frozen=True)
class LibraryBinding:
    """How generated tests adapt one kind of configured library object.

    ``classes`` are full class names (``module.Qualname``); an object matches when one of
    them is in its class's MRO, or, with ``attribute``, in the MRO of the class of that
    attribute of the object (a tenacity ``@retry`` function holds its ``Retrying`` as
    ``.retry``). ``adapters`` maps a template name to the Python source, rendered into the
    test, that defines the name the template calls from :data:`CONFIGURED`.

    >>> LibraryBinding("x", classes=("m.C",), adapters={"rate_limit": "make = 1\\n"}).templates
    ('rate_limit',)
    """

    name: str
    classes: tuple[str, ...]
    adapters: Mapping[str, str]
    attribute: str | None = None
    summary: str = ""
    #: Template parameters this library fixes, with why (urllib3 doubles: factor=2).
    fixed: Mapping[str, Mapping[str, tuple[float | None, str]]] = field(
        default_factory=dict)

    @property
    def templates(self) -> tuple[str, ...]:
        return tuple(self.adapters)

    def matches(self, classes: Sequence[str], members: Mapping[str, Sequence[str]]) -> bool:
        """True when an object whose class MRO is ``classes`` (and whose attributes' class
        MROs are ``members``) is one this binding adapts.

        >>> LibraryBinding("x", classes=("m.C",), adapters={}).matches(["m.C"], {})
        True
        """
        seen = members.get(self.attribute, ()) if self.attribute else classes
        return any(name in seen for name in self.classes)

    def adapter(self, template: str) -> str:
        """The adapter source for ``template``, checked to parse and to define the name the
        template calls.

        >>> LibraryBinding("x", classes=("m.C",),
        ...                adapters={"rate_limit": "def make():\\n    return configured\\n"}
        ...                ).adapter("rate_limit")
        'def make():\\n    return configured\\n'
        """
        try:
            source = self.adapters[template]
        except KeyError:
            raise CodifyError(f"a {self.name} object fits the templates "
                              f"{', '.join(self.templates)}, not {template!r}",
                              field="template") from None
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise CodifyError(f"library binding {self.name!r}: its {template} adapter is "
                              f"not Python (line {exc.lineno}: {exc.msg})") from None
        role = ROLE_OF.get(template)
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                    if isinstance(t, ast.Name)}
        if role is not None and role not in defined:
            raise CodifyError(f"library binding {self.name!r}: its {template} adapter "
                              f"must define {role}")
        return source.strip("\n") + "\n"


def build_binding_registry(*, entry_points: Iterable[EntryPoint] | None = None,
                           ) -> Registry[LibraryBinding]:
    """A fresh registry of the shipped library bindings, then those of installed
    ``dna_kit.bindings`` plugins (or of the given ``entry_points``).

    >>> build_binding_registry().names()
    ['urllib3.Retry', 'tenacity.Retrying', 'tenacity.retry', 'pybreaker.CircuitBreaker', \
'limits.RateLimitItem']
    """
    return build_registry("library binding", "dna_kit.bindings", register_builtin_bindings,
                          item_type=LibraryBinding, entry_points=entry_points)


def register_builtin_bindings(registry: Registry[LibraryBinding]) -> None:
    """Add the shipped bindings, the way a ``dna_kit.bindings`` plugin adds its own.

    >>> registry = Registry("library binding")
    >>> register_builtin_bindings(registry)
    >>> len(registry)
    5
    """
    for binding in _BUILTIN:
        registry.register(binding.name, binding)


def find_library(classes: Sequence[str], members: Mapping[str, Sequence[str]],
                 template: str, *, registry: Registry[LibraryBinding] | None = None,
                 ) -> LibraryBinding | None:
    """The binding that adapts an object (its class MRO as full names, and its attributes'
    class MROs) for ``template``; None when no binding knows the object (it is then taken
    as the project's own code). An object a binding knows, but not for this template, is
    a :class:`~dna_kit.errors.CodifyError` naming the templates it fits.

    >>> find_library(["pybreaker.CircuitBreaker"], {}, "circuit_breaker").name
    'pybreaker.CircuitBreaker'
    """
    registry = registry if registry is not None else build_binding_registry()
    known = [b for _, b in registry.items() if b.matches(classes, members)]
    for binding in known:
        if template in binding.adapters:
            return binding
    if known:
        fits = sorted({t for b in known for t in b.templates})
        raise CodifyError(f"the target is a {known[0].name} object, which fits the "
                          f"templates {', '.join(fits)}, not {template!r}",
                          field="template", value=template)
    return None


# -- what ships -----------------------------------------------------------------------------

_URLLIB3_DELAY = '''
def delay(attempt):
    """urllib3's own wait before the retry that follows `attempt` failed calls: a copy of
    the configured Retry with that many errors in its history, asked get_backoff_time()
    (urllib3 retries the first time at once: 0)."""
    from urllib3.util.retry import RequestHistory

    errors = tuple(
        RequestHistory("GET", "/", ConnectionError("scripted failure"), None, None)
        for _ in range(attempt)
    )
    return configured.new(history=errors).get_backoff_time()
'''

_URLLIB3_CALL = '''
def call(op, **_):
    """op under the configured Retry, as urllib3's connection pool drives it: every
    connection, timeout or protocol error is counted by increment() (total=5 allows 6
    calls), other errors pass; when the Retry is exhausted the last error is raised."""
    import http.client

    from urllib3.exceptions import HTTPError, MaxRetryError

    retry = configured.new()
    while True:
        try:
            return op()
        except (OSError, http.client.HTTPException, HTTPError) as error:
            try:
                retry = retry.increment(method="GET", url="/", error=error)
            except MaxRetryError:
                raise error from None
'''

_TENACITY_COMMON = '''
def _retrying():
    """The configured tenacity Retrying: the object itself, or the one a @retry
    function holds as .retry."""
    import tenacity

    if isinstance(configured, tenacity.BaseRetrying):
        return configured
    return configured.retry
'''

_TENACITY_DELAY = _TENACITY_COMMON + '''

def delay(attempt):
    """tenacity's own wait after `attempt` failed calls: a copy of the configured
    Retrying, set to retry any error and never stop, runs a stub that fails `attempt`
    times; its sleeps are recorded, not slept."""
    import tenacity

    slept = []
    calls = 0

    def stub():
        nonlocal calls
        calls += 1
        if calls <= attempt:
            raise ConnectionError("scripted failure")
        return "ok"

    retrying = _retrying().copy(
        sleep=slept.append,
        stop=tenacity.stop_never,
        retry=tenacity.retry_if_exception_type(),
    )
    retrying(stub)
    return slept[-1]
'''

_TENACITY_CALL = _TENACITY_COMMON + '''

def call(op, **_):
    """op under a copy of the configured Retrying (its stop, retry and wait as
    configured), its sleeps recorded instead of slept."""
    return _retrying().copy(sleep=[].append)(op)
'''

_PYBREAKER_MAKE = '''
class _BreakerOnClock:
    """The configured pybreaker CircuitBreaker on the test's clock. pybreaker reads the
    time as datetime.now() in its own module: during each call that name is a datetime
    whose now() is the clock. The error pybreaker raises instead of the failing call's own
    when that failure opens it (CircuitBreakerError) becomes that call's error again, so
    the test tells a call that ran from one that was refused."""

    def __init__(self, breaker, clock):
        breaker.close()  # every run starts closed, with no failures counted
        self.breaker, self.clock = breaker, clock

    def call(self, op):
        import datetime
        from unittest import mock

        import pybreaker

        clock = self.clock

        class _Now(datetime.datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.datetime.fromtimestamp(clock(), tz or datetime.timezone.utc)

        failed = []

        def tracked():
            try:
                return op()
            except BaseException as error:
                failed.append(error)
                raise

        with mock.patch.object(pybreaker, "datetime", _Now):
            try:
                return self.breaker.call(tracked)
            except pybreaker.CircuitBreakerError:
                if failed:
                    raise failed[-1] from None
                raise


def make(clock):
    """The configured breaker, reset, driven on `clock`."""
    return _BreakerOnClock(configured, clock)
'''

_LIMITS_MAKE = '''
class _MovingWindowOnClock:
    """The configured limits RateLimitItem under limits' moving window strategy on a
    memory storage that reads the test's clock (limits reads time.time() in its memory
    storage; during each request that name is the clock) and expires nothing on its own."""

    def __init__(self, item):
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        class _Storage(MemoryStorage):
            def __init__(self):
                super().__init__()
                self.timer.cancel()  # no background expiry on the real clock

            def _MemoryStorage__schedule_expiry(self):
                pass

        self.item = item
        self.limiter = MovingWindowRateLimiter(_Storage())

    def allow(self, now):
        import types
        from unittest import mock

        import limits.storage.memory

        clock = types.SimpleNamespace(time=lambda: now)
        with mock.patch.object(limits.storage.memory, "time", clock):
            return self.limiter.hit(self.item, "dna-kit-test")


def make():
    """A fresh limiter for the configured rate."""
    return _MovingWindowOnClock(configured)
'''

_BUILTIN = (
    LibraryBinding(
        "urllib3.Retry", classes=("urllib3.util.retry.Retry",),
        adapters={"backoff_schedule": _URLLIB3_DELAY, "retry_limit": _URLLIB3_CALL},
        summary="urllib3 Retry: get_backoff_time() after n errors, increment() per failure",
        fixed={"backoff_schedule": {
            "first": (0.0, "urllib3 retries the first time at once (first=0)"),
            "factor": (2.0, "urllib3 doubles each wait (factor=2; its backoff_factor is "
                            "base)")}}),
    LibraryBinding(
        "tenacity.Retrying", classes=("tenacity.Retrying",),
        adapters={"backoff_schedule": _TENACITY_DELAY, "retry_limit": _TENACITY_CALL},
        summary="tenacity Retrying: a copy runs a failing stub"),
    LibraryBinding(
        "tenacity.retry", classes=("tenacity.Retrying",), attribute="retry",
        adapters={"backoff_schedule": _TENACITY_DELAY, "retry_limit": _TENACITY_CALL},
        summary="a tenacity @retry function: a copy of its Retrying runs a failing stub"),
    LibraryBinding(
        "pybreaker.CircuitBreaker", classes=("pybreaker.CircuitBreaker",),
        adapters={"circuit_breaker": _PYBREAKER_MAKE},
        summary="pybreaker CircuitBreaker on the test's clock"),
    LibraryBinding(
        "limits.RateLimitItem", classes=("limits.limits.RateLimitItem",),
        adapters={"rate_limit": _LIMITS_MAKE},
        summary="limits RateLimitItem under the moving window strategy"),
)
