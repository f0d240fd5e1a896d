"""The query plan is language-neutral: its own vocabulary, labels printed lazily, equality by
meaning; the selector front end lowers onto it."""

from __future__ import annotations

import tracespec
from tracespec.query.plan import (
    ChainMode,
    Combinator,
    CompareOp,
    CondKind,
    Driver,
    Label,
    Pick,
    PickKind,
)


def test_labels_print_the_front_ends_text_once() -> None:
    calls = []

    def make() -> str:
        calls.append(1)
        return "span[x]"

    label = Label(make)
    assert calls == []  # nothing printed until asked
    assert str(label) == "span[x]" and str(label) == "span[x]"
    assert calls == [1]
    assert repr(Label("a")) == "'a'"


def test_pick_index_is_the_one_pick_rule() -> None:
    assert Pick(PickKind.FIRST).index(3) == 0
    assert Pick(PickKind.LAST).index(3) == 2
    assert Pick(PickKind.NTH, 2).index(3) == 1
    assert Pick(PickKind.NTH, 4).index(3) is None
    assert Pick(PickKind.NTH, 0).index(3) is None
    assert Pick(PickKind.FIRST).index(0) is None


def test_selectors_lower_onto_the_plan() -> None:
    plan = tracespec.compile_selector(
        'span[service.name="api" http.status_code>=500] > span[name=~"SELECT.*"]:first').plan
    (chain,) = plan.chains
    assert chain.combinators == (Combinator.CHILD,) and chain.mode is ChainMode.GROUPED
    first, second = chain.steps
    assert first.driver is Driver.SEEDS
    assert [(c.kind, c.op, c.key, c.text) for c in first.seeds] == [
        (CondKind.EQ_TEXT, CompareOp.EQ, "service.name", "api")]
    assert [(c.kind, c.op, c.number) for c in first.checks] == [
        (CondKind.ORDER_NUMBER, CompareOp.GE, 500)]
    assert second.pick == Pick(PickKind.FIRST)
    assert str(second.label) == 'span[name=~"SELECT.*"]:first'
    assert str(plan.label) == (
        'span[service.name="api" http.status_code>=500] > span[name=~"SELECT.*"]:first')


def test_plans_are_equal_by_meaning() -> None:
    a = tracespec.compile_selector('span[a="1"] span[b]').plan
    b = tracespec.compile_selector('span[ a = "1" ]  span[ b ]').plan
    assert a == b
    assert a != tracespec.compile_selector('span[a="2"] span[b]').plan
    # the same condition written twice is one condition
    (step,) = tracespec.compile_selector("span[x=1 x=1]").plan.chains[0].steps
    assert len(step.seeds) == 1
