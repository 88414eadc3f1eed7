"""Reading the numbers a quote states, and checking a statement against its quote and source."""

from decimal import Decimal

import pytest

from figures.quotes import numbers_in, quote_problem, stated_number

ARTICLE = (
    "The trading volume of Qingpu's delegation hit more than US$1 billion during the expo,\n"
    "a press conference heard on Saturday.  Ten activities to promote the district were held."
)


@pytest.mark.parametrize(
    ("quote", "value", "qualifier", "currency"),
    [
        ("representatives from 3,014 enterprises", "3014", "exact", ""),
        ("hit more than US$1 billion during the expo", "1000000000", "more_than", "USD"),
        ("trading volume surpassing US$2.13 billion", "2130000000", "more_than", "USD"),
        ("eight companies that attended", "8", "exact", ""),
        ("Ten activities to promote the district", "10", "exact", ""),
        ("recorded more than 1.7 million yuan (US$261,538) in sales", "1700000", "more_than", "CNY"),
        ("with another 85 having the intention", "85", "exact", ""),
        ("18,773 professional audience registered", "18773", "exact", ""),
        ("for six consecutive years at CIIE", "6", "exact", ""),
        ("deals totaling US$57.83 billion", "57830000000", "exact", "USD"),
        ("About 30 companies in Minhang", "30", "about", ""),
        ("more than 100 South Korean enterprises", "100", "more_than", ""),
        ("a trading union comprised of 913 enterprises", "913", "exact", ""),
        ("orders of intention worth over US$5.15 billion", "5150000000", "more_than", "USD"),
        ("a daily visitor flow above 15,000", "15000", "more_than", ""),
        ("some five thousand visitors", "5000", "about", ""),
        ("twenty companies", "20", "exact", ""),
    ],
)
def test_the_number_a_quote_states(quote, value, qualifier, currency):
    number = stated_number(quote=quote, value=Decimal(value), qualifier=qualifier, currency=currency)
    assert number is not None
    assert (number.value, number.qualifier, number.currency) == (Decimal(value), qualifier, currency)


def test_a_quote_with_several_numbers_states_each_with_its_own_qualifier():
    stated = [
        (number.value, number.qualifier, number.currency)
        for number in numbers_in("8 companies confirmed, with another 85 having the intention, more than 1,000 came")
    ]
    assert stated == [(Decimal(8), "exact", ""), (Decimal(85), "exact", ""), (Decimal(1000), "more_than", "")]


def test_a_conversion_in_brackets_is_read_as_the_usd_value():
    (yuan, dollars) = numbers_in("more than 1.7 million yuan (US$261,538) in sales")
    assert (yuan.value, yuan.currency, yuan.usd) == (Decimal(1700000), "CNY", Decimal(261538))
    assert (dollars.value, dollars.currency, dollars.usd) == (Decimal(261538), "USD", None)


def test_a_quote_that_is_in_the_text_and_states_the_value_passes():
    quote = "The trading volume of Qingpu's delegation hit more than US$1 billion during the expo, a press conference"
    problem = quote_problem(
        quote=quote, text=ARTICLE, value=Decimal("1000000000.00"), qualifier="more_than", currency="USD"
    )
    assert problem is None


@pytest.mark.parametrize(
    ("quote", "value", "qualifier", "currency", "field", "message"),
    [
        (
            "Eleven activities to promote the district were held.",
            "11",
            "exact",
            "",
            "quote",
            "The quote does not occur in the source's stored text.",
        ),
        (
            "Ten activities to promote the district were held.",
            "12",
            "exact",
            "",
            "value",
            "The quote does not state 12 (exact): it states Ten (exact).",
        ),
        (
            "Ten activities to promote the district were held.",
            "10",
            "more_than",
            "",
            "value",
            "The quote does not state 10 (more_than): it states Ten (exact).",
        ),
        (
            "hit more than US$1 billion",
            "1000000000",
            "more_than",
            "CNY",
            "value",
            "The quote does not state 1000000000 (more_than): it states more than US$1 billion (more_than).",
        ),
        (
            "a press conference heard on Saturday.",
            "1",
            "exact",
            "",
            "quote",
            "The quote states no number.",
        ),
    ],
)
def test_a_mismatch_names_the_field_at_fault(quote, value, qualifier, currency, field, message):
    problem = quote_problem(quote=quote, text=ARTICLE, value=Decimal(value), qualifier=qualifier, currency=currency)
    assert problem is not None
    assert (problem.field, problem.message) == (field, message)


def test_without_a_stored_text_only_the_number_is_checked():
    assert quote_problem(quote="Eleven came.", text="", value=Decimal(11), qualifier="exact") is None
