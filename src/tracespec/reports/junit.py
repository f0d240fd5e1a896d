"""The CI report: JUnit XML as Tracetest's server writes it (docs/cli.md).

One ``<testsuite>`` per spec (named by its selector), one ``<testcase>`` per span result (named
by the assertion, so an assertion over three spans gives three cases); a failed comparison
(``no match``) is a ``<failure>`` whose message is the observed value, any other problem an
``<error>``.  Tracetest writes reports for single tests only; tracespec also writes them for
several tests and for suites: then the suites are named ``<test name>: <selector>`` and a test
that could not run at all is one suite with one errored case, so CI shows it.  ``time`` is the
run's wall time in seconds with three decimals (Tracetest rounds up to whole seconds).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..errors import first_line
from ..results import ALL_SPANS, Outcome
from ..testfiles.results import SuiteResult, TestResult
from ._rows import rows

__all__ = ["junit_xml"]

_PASSED = Outcome.PASSED  # (module constants read faster than enum class attributes)
_FAILED = Outcome.FAILED


def _suites_of(result: TestResult, prefix: str) -> list[ET.Element]:
    out: list[ET.Element] = []
    if result.error is not None:
        suite = ET.Element("testsuite", {
            "name": prefix + result.test.name, "tests": "1", "failures": "0", "errors": "1",
            "skipped": "0",
        })
        case = ET.SubElement(suite, "testcase", {"name": result.test.name})
        ET.SubElement(case, "error", {"type": "error", "message": result.error})
        return [suite]
    for spec in result.specs:
        total = failures = errors = 0
        suite = ET.Element("testsuite", {"name": prefix + (spec.selector or ALL_SPANS)})
        for row in rows(spec):
            total += 1
            case = ET.SubElement(suite, "testcase", {"name": row.assertion.text})
            span = row.span
            if span.outcome is _PASSED:
                continue
            if span.outcome is _FAILED:
                failures += 1
                ET.SubElement(case, "failure", {
                    "type": row.assertion.text, "message": span.observed,
                })
            else:
                errors += 1
                ET.SubElement(case, "error", {
                    "type": "error", "message": first_line(span.error or ""),
                })
        suite.set("tests", str(total))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", "0")
        out.append(suite)
    return out


def junit_xml(results: Sequence[TestResult | SuiteResult], *, name: str | None = None) -> str:
    """The JUnit XML document for test and suite runs (one test gives Tracetest's exact form)."""
    single = len(results) == 1 and isinstance(results[0], TestResult)
    suites: list[ET.Element] = []
    seconds = 0.0
    for result in results:
        seconds += result.duration_s
        if isinstance(result, SuiteResult):
            for step in result.steps:
                suites.extend(_suites_of(step, f"{result.suite.name} / {step.test.name}: "))
        else:
            suites.extend(_suites_of(result, "" if single else f"{result.test.name}: "))
    if name is None:
        if single:
            name = results[0].test.name  # type: ignore[union-attr]
        elif len(results) == 1 and isinstance(results[0], SuiteResult):
            name = results[0].suite.name
        else:
            name = "tracespec"
    totals = [0, 0, 0]
    for suite in suites:
        totals[0] += int(suite.get("tests", "0"))
        totals[1] += int(suite.get("failures", "0"))
        totals[2] += int(suite.get("errors", "0"))
    root = ET.Element("testsuites", {
        "name": name,
        "tests": str(totals[0]),
        "failures": str(totals[1]),
        "errors": str(totals[2]),
        "skipped": "0",
        "time": f"{seconds:.3f}",
    })
    root.extend(suites)
    ET.indent(root, space="\t")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
