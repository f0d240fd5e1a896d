"""The CI report: JUnit XML as Tracetest's server writes it (docs/cli.md).

One ``<testsuite>`` per spec (named by its selector), one ``<testcase>`` per span result (named
by the assertion, so an assertion over three spans gives three cases); a failed comparison
(``no match``) is a ``<failure>`` whose message is the observed value, any other problem an
``<error>``.  Tracetest writes reports for single tests only; tracespec also writes them for
several tests and for suites: then the suites are named ``<test name>: <selector>`` and a test
that could not run at all is one suite with one errored case, so CI shows it.  ``time`` is the
run's wall time in seconds with three decimals (Tracetest rounds up to whole seconds).

The document is written as text, in the very form ElementTree gives it (``ET.indent`` with
tabs, no short empty elements), and streamed: a first pass counts each suite's cases, failures
and errors (the counts head the elements), a second writes the cases one by one.  So nothing
but the counts is kept, however many span results there are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import attrs

from .._frozen import FieldsRepr
from ..errors import first_line
from ..results import ALL_SPANS, Outcome, SpecResult
from ..testfiles.results import SuiteResult, TestResult
from ._rows import span_results_of
from ._stream import chunked

__all__ = ["iter_junit_xml", "junit_xml"]

_PASSED = Outcome.PASSED  # (module constants read faster than enum class attributes)
_FAILED = Outcome.FAILED
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


# characters XML 1.0 cannot hold, even as references: written as visible escapes (\x1b)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _attr(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it; characters XML cannot hold
    (control characters, lone surrogates) written as visible escapes (``\\x1b``), so that
    the document stays well-formed."""
    if not text.isascii() or not text.isprintable():
        text = _NOT_XML.sub(_visible, text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


@attrs.frozen(repr=False)
class _Suite(FieldsRepr):
    """One ``<testsuite>``: a spec's, or the one errored case of a test that could not run."""

    name: str
    tests: int
    failures: int
    errors: int
    spec: SpecResult | None = None
    test_name: str = ""
    test_error: str = ""
    test_failed: bool = False  # test_error is a failure (the trace did not arrive whole)

    def open_tag(self) -> str:
        return (f'<testsuite name="{_attr(self.name)}" tests="{self.tests}" '
                f'failures="{self.failures}" errors="{self.errors}" skipped="0">')


def _counts(spec: SpecResult) -> tuple[int, int, int]:
    """(cases, failures, errors) of a spec: one case per span result."""
    total = failures = errors = 0
    for assertion in spec.assertions:
        for span in span_results_of(spec, assertion):
            total += 1
            outcome = span.outcome
            if outcome is _FAILED:
                failures += 1
            elif outcome is not _PASSED:
                errors += 1
    return total, failures, errors


def _suites_of(result: TestResult, prefix: str) -> Iterator[_Suite]:
    if result.error is not None:
        yield _Suite(prefix + result.test.name, 1, 0, 1, test_name=result.test.name,
                     test_error=result.error)
        return
    if result.incomplete is not None:
        yield _Suite(prefix + "trace", 1, 1, 0, test_name="the trace arrived whole",
                     test_error=result.incomplete, test_failed=True)
    for spec in result.specs:
        yield _Suite(prefix + (spec.selector or ALL_SPANS), *_counts(spec), spec=spec)


def _suites(results: Sequence[TestResult | SuiteResult], single: bool) -> Iterator[_Suite]:
    for result in results:
        if isinstance(result, SuiteResult):
            for step in result.steps:
                yield from _suites_of(step, f"{result.suite.name} / {step.test.name}: ")
        else:
            yield from _suites_of(result, "" if single else f"{result.test.name}: ")


def _cases(suite: _Suite) -> Iterator[str]:
    """The ``<testcase>`` elements of a suite, each with its indentation before it."""
    spec = suite.spec
    if spec is None:
        tag = "failure" if suite.test_failed else "error"
        yield (f'\n\t\t<testcase name="{_attr(suite.test_name)}">\n\t\t\t<{tag} type="{tag}" '
               f'message="{_attr(suite.test_error)}"></{tag}>\n\t\t</testcase>')
        return
    for assertion in spec.assertions:
        name = _attr(assertion.text)
        passed = f'\n\t\t<testcase name="{name}"></testcase>'
        failed = f'\n\t\t<testcase name="{name}">\n\t\t\t<failure type="{name}" message="'
        for span in span_results_of(spec, assertion):
            outcome = span.outcome
            if outcome is _PASSED:
                yield passed
            elif outcome is _FAILED:
                yield f'{failed}{_attr(span.observed)}"></failure>\n\t\t</testcase>'
            else:
                yield (f'\n\t\t<testcase name="{name}">\n\t\t\t<error type="error" message="'
                       f'{_attr(first_line(span.error or ""))}"></error>\n\t\t</testcase>')


def _document(results: Sequence[TestResult | SuiteResult], name: str | None) -> Iterator[str]:
    single = len(results) == 1 and isinstance(results[0], TestResult)
    if name is None:
        if single:
            name = results[0].test.name  # type: ignore[union-attr]
        elif len(results) == 1 and isinstance(results[0], SuiteResult):
            name = results[0].suite.name
        else:
            name = "tracespec"
    suites = list(_suites(results, single))
    seconds = sum((r.duration_s for r in results), 0.0)
    tests = sum(s.tests for s in suites)
    failures = sum(s.failures for s in suites)
    errors = sum(s.errors for s in suites)
    yield (f'{_DECLARATION}<testsuites name="{_attr(name)}" tests="{tests}" '
           f'failures="{failures}" errors="{errors}" skipped="0" time="{seconds:.3f}">')
    for suite in suites:
        yield "\n\t" + suite.open_tag()
        if suite.tests:
            yield from _cases(suite)
            yield "\n\t"
        yield "</testsuite>"
    yield "\n</testsuites>\n" if suites else "</testsuites>\n"


def iter_junit_xml(
    results: Sequence[TestResult | SuiteResult], *, name: str | None = None
) -> Iterator[str]:
    """The text of :func:`junit_xml` in chunks, made as it is written: each suite's cases are
    counted first, then written one by one, so no document is held."""
    return chunked(_document(results, name))


def junit_xml(results: Sequence[TestResult | SuiteResult], *, name: str | None = None) -> str:
    """The JUnit XML document for test and suite runs (one test gives Tracetest's exact form)."""
    return "".join(iter_junit_xml(results, name=name))
