"""Reports of test runs: pretty text for people, JSON for scripts, JUnit XML for CI servers, and
an HTML page (``html_report``: the verdicts and the trace, self-contained) for people and CI.

Each report is a pure function from run results (``tracespec.testfiles.runner``) to text or
data, shaped as Tracetest's CLI and server shape theirs (docs/cli.md shows each), so
tools written for Tracetest read ours.  Each also has a streamed form (``iter_*``), made by
the same code: the same text in chunks, made as it is read with the cyclic GC paused, so a
report of a million span results is written without ever being held whole (the HTML page is
made whole: its compact data is one document).  Printing, colour
decisions and files are the CLI's job.  Only the pretty report is imported with the package:
the others are imported when first asked for (:data:`_LAZY`, PEP 562), so a run that writes no
HTML, JSON or JUnit pays nothing for their page assets, encoders and escapes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .pretty import (
    Line,
    iter_pretty_spec,
    iter_pretty_suite,
    iter_pretty_test,
    iter_render,
    iter_repairs,
    pretty_spec,
    pretty_suite,
    pretty_test,
    render,
)

if TYPE_CHECKING:
    from .html import html_report
    from .jsonreport import (
        iter_json_report,
        iter_spec_json,
        iter_suite_json,
        iter_test_json,
        spec_json,
        suite_json,
        test_json,
    )
    from .junit import iter_junit_xml, junit_xml

#: The names imported on first use, and their modules.
_LAZY = {
    "html_report": ".html",
    **dict.fromkeys(("iter_json_report", "iter_spec_json", "iter_suite_json", "iter_test_json",
                     "spec_json", "suite_json", "test_json"), ".jsonreport"),
    **dict.fromkeys(("iter_junit_xml", "junit_xml"), ".junit"),
}

__all__ = (
    "Line",
    "html_report",
    "iter_json_report",
    "iter_junit_xml",
    "iter_pretty_spec",
    "iter_pretty_suite",
    "iter_pretty_test",
    "iter_render",
    "iter_repairs",
    "iter_spec_json",
    "iter_suite_json",
    "iter_test_json",
    "junit_xml",
    "pretty_spec",
    "pretty_suite",
    "pretty_test",
    "render",
    "spec_json",
    "suite_json",
    "test_json",
)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        return getattr(importlib.import_module(module, __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
