"""What spreadsheets share, in Python and in the database alike: text a spreadsheet would run as a
formula gets a leading apostrophe (``escape_formula``, ``formula_escaped``), and an edition is
labelled as ``str(edition)`` (``Edition.label``, ``ordinal_expression``)."""

import pytest
from django.db.models import CharField, IntegerField, Value

from expo.models import Edition, Expo, ordinal, ordinal_expression
from framework.spreadsheets import FORMULA_TRIGGERS, escape_formula, formula_escaped
from tests.factories import EditionFactory, ExpoFactory

pytestmark = pytest.mark.django_db

TEXTS = (
    *(f"{trigger}SUM(A1:A9)" for trigger in FORMULA_TRIGGERS),
    *FORMULA_TRIGGERS,
    "",
    "Organo-silicon products",
    " =1+1",
    "'=1+1",
    "1-2",
    "＝1+1",
    "震坤行",
    "\n=1+1",
)


@pytest.fixture
def one_row() -> None:
    ExpoFactory()


def in_the_database(expression):
    return Expo.objects.annotate(value=expression).values_list("value", flat=True).get()


@pytest.mark.parametrize("text", TEXTS, ids=repr)
def test_the_database_escapes_text_as_python_does(one_row, text):
    assert in_the_database(formula_escaped(Value(text, output_field=CharField()))) == escape_formula(text)


def test_the_database_leaves_null_null(one_row):
    assert in_the_database(formula_escaped(Value(None, output_field=CharField()))) is None


@pytest.mark.parametrize("number", [1, 2, 3, 4, 10, 11, 12, 13, 20, 21, 22, 23, 100, 101, 111, 112, 113, 121, 32767])
def test_the_database_writes_ordinals_as_python_does(one_row, number):
    assert in_the_database(ordinal_expression(Value(number, output_field=IntegerField()))) == ordinal(number)


@pytest.mark.parametrize(
    ("name", "short_name", "expected"),
    [
        ("6th China International Import Expo", "CIIE", "6th China International Import Expo"),
        ("", "CIIE", "6th CIIE"),
        ("", "", "6th China International Import Expo"),
    ],
)
def test_an_editions_label_in_the_database_is_its_string(name, short_name, expected):
    expo = ExpoFactory(name="China International Import Expo", short_name=short_name)
    edition = EditionFactory(expo=expo, number=6, name=name)
    assert (str(edition), Edition.objects.values_list(Edition.label(), flat=True).get()) == (expected, expected)
