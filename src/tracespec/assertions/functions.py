"""The generator functions of the assertion language: ``uuid() firstName() ... dateTime()``.

They make test data for triggers and outputs.  No faker dependency: a few dozen common names
are enough to look real, card numbers pass the Luhn check, ``date``/``dateTime`` format with
fmtdate's tokens (``YYYY MM DD hh mm ss`` ...) as Tracetest does.  Argument checking follows
Tracetest (required parameters, declared types), except that its two known bugs are fixed:
``lastName()`` returns a last name and too many arguments is an error, not a crash.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from .._frozen import FieldsRepr
from .values import NUMBER, STRING, TYPE_NAMES, atoi

__all__ = ["FUNCTIONS", "Function", "FunctionError", "format_fmtdate", "seed"]

_rng = random.Random()


def seed(value: int | None = None) -> None:
    """Seed the functions' random source (tests use it to make random values repeatable)."""
    _rng.seed(value)


class FunctionError(Exception):
    """A function call that cannot be made (unknown, wrong arguments)."""


FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark",
    "Ashley", "Paul", "Emily", "Steven", "Donna", "Andrew", "Michelle", "Joshua", "Carol",
    "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Lucas", "Sofia", "Mateo",
    "Camila", "Noah", "Olivia", "Liam", "Emma", "Hiroshi", "Yuki", "Arjun", "Priya", "Kwame",
    "Amara", "Lars", "Ingrid", "Pierre", "Chloe",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Morgan", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Tanaka", "Sato", "Patel", "Singh",
    "Mensah", "Okafor", "Larsen", "Johansson", "Dubois", "Moreau",
)
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.test", "company.test")

# fmtdate's placeholders, longest first where one is a prefix of another.
_FMTDATE = re.compile(r"YYYY|YY|MMMM|MMM|MM|M|DDDD|DDD|DD|D|hh|mm|ss|ZZZZ|ZZZ|ZZ")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _offset(moment: datetime, colon: bool) -> str:
    delta = moment.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}" if colon else f"{sign}{hours:02d}{mins:02d}"


# What each fmtdate placeholder writes for a moment.
_FMTDATE_TOKENS: dict[str, Callable[[datetime], str]] = {
    "YYYY": lambda t: f"{t.year:04d}",
    "YY": lambda t: f"{t.year % 100:02d}",
    "MMMM": lambda t: _MONTHS[t.month - 1],
    "MMM": lambda t: _MONTHS[t.month - 1][:3],
    "MM": lambda t: f"{t.month:02d}",
    "M": lambda t: str(t.month),
    "DDDD": lambda t: _DAYS[t.weekday()],
    "DDD": lambda t: _DAYS[t.weekday()][:3],
    "DD": lambda t: f"{t.day:02d}",
    "D": lambda t: str(t.day),
    "hh": lambda t: f"{t.hour:02d}",
    "mm": lambda t: f"{t.minute:02d}",
    "ss": lambda t: f"{t.second:02d}",
    "ZZZZ": lambda t: _offset(t, colon=False),
    "ZZZ": lambda t: t.tzname() or _offset(t, colon=False),
    "ZZ": lambda t: _offset(t, colon=True),
}


def format_fmtdate(fmt: str, moment: datetime) -> str:
    """Format ``moment`` with fmtdate's placeholders: ``YYYY YY`` year, ``MMMM MMM MM M`` month
    (January, Jan, 01, 1), ``DDDD DDD DD D`` day (Monday, Mon, 02, 2), ``hh`` 24-hour hours,
    ``mm`` minutes, ``ss`` seconds, ``ZZZZ`` (-0700), ``ZZZ`` (zone name), ``ZZ`` (-07:00).
    Any other text is kept as it is."""
    return _FMTDATE.sub(lambda m: _FMTDATE_TOKENS[m.group()](moment), fmt)


def _now() -> datetime:
    return datetime.now().astimezone()


def _date(args: Sequence[str]) -> str:
    return format_fmtdate(args[0], _now()) if args else _now().strftime("%Y-%m-%d")


def _date_time(args: Sequence[str]) -> str:
    if args:
        return format_fmtdate(args[0], _now())
    now = _now()
    text = now.isoformat(timespec="seconds")
    delta = now.utcoffset()
    if delta is not None and not delta:
        text = text[: -len("+00:00")] + "Z"  # Go's RFC 3339 writes UTC as Z
    return text


def _luhn_complete(prefix: str, length: int) -> str:
    digits = prefix + "".join(str(_rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def _credit_card(args: Sequence[str]) -> str:
    prefix, length = _rng.choice((("4", 16), ("51", 16), ("55", 16), ("34", 15), ("37", 15),
                                  ("6011", 16)))
    return _luhn_complete(prefix, length)


def _credit_card_exp(args: Sequence[str]) -> str:
    now = _now()
    year = now.year + _rng.randint(1, 10)
    return f"{_rng.randint(1, 12):02d}/{year % 100:02d}"


def _email(args: Sequence[str]) -> str:
    first, last = _rng.choice(FIRST_NAMES), _rng.choice(LAST_NAMES)
    return f"{first.lower()}.{last.lower()}{_rng.randrange(100)}@{_rng.choice(_EMAIL_DOMAINS)}"


def _phone(args: Sequence[str]) -> str:
    return str(_rng.randint(2, 9)) + "".join(str(_rng.randrange(10)) for _ in range(9))


def _random_int(args: Sequence[str]) -> str:
    low, high = atoi(args[0]), atoi(args[1])
    if low is None or high is None:
        raise FunctionError("randomInt: arguments must be integers")
    if low > high:
        raise FunctionError(f"randomInt: minimum {low} is greater than maximum {high}")
    return str(_rng.randint(low, high))


@attrs.frozen(repr=False)
class Function(FieldsRepr):
    """A function: its implementation and parameter types (optional ones last)."""

    name: str
    invoke: Callable[[Sequence[str]], str] = attrs.field(eq=False, repr=False)
    params: tuple[int, ...] = ()
    required: int = 0

    def call(self, args: Sequence[tuple[str, int]]) -> str:
        """Check the (text, type) arguments and call; FunctionError if they do not fit."""
        if len(args) < self.required:
            raise FunctionError(
                f"missing required parameters. Expected at least {self.required} params, "
                f"got {len(args)}"
            )
        if len(args) > len(self.params):
            raise FunctionError(
                f"too many arguments. Expected at most {len(self.params)} params, got {len(args)}"
            )
        for i, ((_, arg_type), param_type) in enumerate(zip(args, self.params, strict=False)):
            if arg_type != param_type:
                raise FunctionError(
                    f"invalid argument type on index {i}: expected {TYPE_NAMES[param_type]}, "
                    f"got {TYPE_NAMES[arg_type]}"
                )
        return self.invoke([text for text, _ in args])


def _f(name: str, fn: Callable[[Sequence[str]], str], params: tuple[int, ...] = (),
       required: int = 0) -> tuple[str, Function]:
    return name, Function(name, fn, params, required)


FUNCTIONS: dict[str, Function] = dict(
    (
        _f("uuid", lambda a: str(uuid.uuid4())),
        _f("firstName", lambda a: _rng.choice(FIRST_NAMES)),
        _f("lastName", lambda a: _rng.choice(LAST_NAMES)),
        _f("fullName", lambda a: f"{_rng.choice(FIRST_NAMES)} {_rng.choice(LAST_NAMES)}"),
        _f("email", _email),
        _f("phone", _phone),
        _f("date", _date, (STRING,), 0),
        _f("dateTime", _date_time, (STRING,), 0),
        _f("creditCard", _credit_card),
        _f("creditCardCvv", lambda a: f"{_rng.randrange(1000):03d}"),
        _f("creditCardExpDate", _credit_card_exp),
        _f("randomInt", _random_int, (NUMBER, NUMBER), 2),
    )
)
