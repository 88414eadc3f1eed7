"""The committed openapi.yaml is the contract frontend teams generate clients from: it must be
exactly what the code generates, valid, and free of generation warnings."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from deals.api.serializers import DealLineItemSerializer, ExchangeRateSerializer
from framework.api.fields import MoneySerializer
from framework.api.schema import decimal_pattern

OPENAPI_YAML = Path(__file__).resolve().parent.parent / "openapi.yaml"


@pytest.fixture(scope="module")
def generated() -> str:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


def test_committed_schema_matches_the_code(generated):
    assert OPENAPI_YAML.read_text() == generated, "openapi.yaml is out of date: run `make schema` and commit it."


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_has_a_summary_and_a_tag(generated):
    schema = yaml.safe_load(generated)
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if not operation.get("summary") or not operation.get("tags")
    ]
    assert missing == []


def test_every_error_response_uses_the_one_error_shape(generated):
    schema = yaml.safe_load(generated)
    shapes = {
        response["content"]["application/json"]["schema"]["$ref"]
        for _, _, operation in operations(schema)
        for code, response in operation["responses"].items()
        if code.startswith("4")
    }
    # The 409 of a create that looks like a saved enterprise adds its candidates to the one shape.
    assert shapes == {"#/components/schemas/ErrorResponse", "#/components/schemas/ProbableDuplicateError"}
    error = schema["components"]["schemas"]["ErrorResponse"]
    duplicate = schema["components"]["schemas"]["ProbableDuplicateError"]
    assert duplicate["properties"] == {**error["properties"], "candidates": duplicate["properties"]["candidates"]}
    assert [
        (path, method)
        for path, method, operation in operations(schema)
        if operation["responses"].get("409", {}).get("content", {}).get("application/json", {}).get("schema", {})
        == {"$ref": "#/components/schemas/ProbableDuplicateError"}
    ] == [("/api/enterprises/", "post")]


def test_every_list_filter_is_described(generated):
    schema = yaml.safe_load(generated)
    undescribed = [
        f"{path} {parameter['name']}"
        for path, method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and not parameter.get("description")
    ]
    assert undescribed == []


def test_deal_operations_carry_the_zkh_dow_example(generated):
    schema = yaml.safe_load(generated)
    create = schema["paths"]["/api/deals/"]["post"]
    request_example = create["requestBody"]["content"]["application/json"]["examples"]
    response_example = create["responses"]["201"]["content"]["application/json"]["examples"]
    assert next(iter(request_example.values()))["value"]["value"] == {"amount": "300000000.00", "currency": "USD"}
    assert next(iter(response_example.values()))["value"]["seller"]["name"] == "Dow"


def test_deletes_document_the_conflict_response(generated):
    schema = yaml.safe_load(generated)
    deletes = [(path, operation) for path, method, operation in operations(schema) if method == "delete"]
    assert deletes
    assert all("409" in operation["responses"] for _, operation in deletes)


def test_nullable_fields_are_marked_nullable(generated):
    deal = yaml.safe_load(generated)["components"]["schemas"]["Deal"]["properties"]
    assert deal["signed_on"]["nullable"] is True
    assert deal["first_deal_of"]["nullable"] is True
    assert deal["usd_rate_date"]["nullable"] is True


# Reads that need a login: your own tokens, change histories and the quality report
# (framework.api.permissions.ForDataUsers).
READS_FOR_THE_LOGGED_IN = {"GET /api/auth/tokens/", "GET /api/deals/{id}/history/", "GET /api/quality/"}


def test_the_reads_the_public_may_make_take_no_credentials_as_a_choice(generated):
    schema = yaml.safe_load(generated)
    # Operations that read no credentials at all list no security: the health check, and obtaining a token.
    uncredentialed = {
        f"{method.upper()} {path}" for path, method, operation in operations(schema) if "security" not in operation
    }
    assert uncredentialed == {"GET /api/health/", "POST /api/auth/tokens/"}
    optional = {
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if {} in operation.get("security", [])
    }
    reads = {f"GET {path}" for path, method, _ in operations(schema) if method == "get"}
    assert optional == reads - READS_FOR_THE_LOGGED_IN - uncredentialed
    for label in READS_FOR_THE_LOGGED_IN:
        method, path = label.split()
        assert schema["paths"][path][method.lower()]["security"] == [{"tokenAuth": []}, {"cookieAuth": []}]


def test_obtaining_a_token_documents_the_401_of_wrong_credentials(generated):
    responses = yaml.safe_load(generated)["paths"]["/api/auth/tokens/"]["post"]["responses"]
    assert responses["401"]["content"]["application/json"]["examples"]["WrongCredentials"]["value"] == {
        "type": "client_error",
        "errors": [{"code": "authentication_failed", "detail": "Wrong username or password.", "attr": None}],
    }


def test_creates_and_bulk_writes_declare_the_idempotency_key_the_server_checks(generated):
    schema = yaml.safe_load(generated)
    declared = {
        f"{method.upper()} {path}": parameter["schema"]
        for path, method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "Idempotency-Key"
    }
    # Every POST to a collection (a create) or its bulk/ (tokens are not records: they take none).
    writes = {
        f"POST {path}"
        for path, method, _ in operations(schema)
        if method == "post" and "{" not in path and not path.startswith("/api/auth/")
    }
    assert set(declared) == writes
    assert len(declared) == 18
    key = {"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$", "minLength": 1, "maxLength": 255}
    assert all(value == key for value in declared.values())
    # The keys tests/integrity/test_safe_writes.py shows refused, and two it accepts.
    pattern = re.compile(key["pattern"])
    assert [bool(pattern.fullmatch(value)) for value in ("", "x" * 256, "with space", "é")] == [False] * 4
    assert [bool(pattern.fullmatch(value)) for value in ("order-42", "~" * 255)] == [True, True]


def test_number_and_text_filters_declare_the_bounds_the_server_checks(generated):
    schema = yaml.safe_load(generated)

    def bounds(path: str, name: str) -> tuple:
        (parameter,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return parameter["schema"]["type"], parameter["schema"].get("minimum"), parameter["schema"].get("maximum")

    largest = 2**63 - 1
    for name in ("delegation", "edition", "expo", "buyer", "seller", "category", "market"):
        assert bounds("/api/deals/", name) == ("integer", 1, largest)
        assert bounds("/api/stats/deals/", name) == ("integer", 1, largest)
        assert bounds("/api/stats/funnel/", name) == ("integer", 1, largest)
    assert bounds("/api/editions/", "number") == ("integer", 1, 32767)
    assert bounds("/api/stats/deals/", "delegation_level") == ("integer", 0, 32767)
    assert bounds("/api/stats/funnel/", "delegation_level") == ("integer", 0, 32767)

    def longest(path: str, name: str) -> int:
        (parameter,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return parameter["schema"]["maxLength"]

    names = ("uscc", "city", "district", "search")
    assert [longest("/api/enterprises/", name) for name in names] == [18, 100, 100, 200]

    (value_usd_min,) = [p for p in schema["paths"]["/api/deals/"]["get"]["parameters"] if p["name"] == "value_usd_min"]
    # 20 digits, 2 of them after the point (tests/api/test_parameters.py: more is a 400).
    assert value_usd_min["schema"] == {
        "type": "number",
        "multipleOf": 0.01,
        "minimum": -(10**18),
        "maximum": 10**18,
        "exclusiveMinimum": True,
        "exclusiveMaximum": True,
    }


def test_list_parameters_ask_for_at_least_one_name(generated):
    # An empty `fields`, `omit`, `expand`, `ordering` or `group_by` is a 400, not an empty list.
    schema = yaml.safe_load(generated)
    lists = [
        (f"{method.upper()} {path}", parameter["name"], parameter["schema"].get("minItems"))
        for path, method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["name"] in ("fields", "omit", "expand", "ordering", "group_by")
    ]
    assert len(lists) == 114
    assert [entry for entry in lists if entry[2] != 1] == []


DECIMALS = [
    "",
    "-",
    ".",
    "0",
    "0.00",
    "0.01",
    ".5",
    ".05",
    "5.",
    "1",
    "-1",
    "-0.5",
    "1.234",
    "12.3",
    "300000000.00",
    "9999999999999.99",
    "10000000000000",
    "99999.9999999999",
    "100000",
    "0.0000000001",
    "٣",
    "1e3",
]


@pytest.mark.parametrize(
    ("serializer", "name", "pattern", "accepted"),
    [
        (
            MoneySerializer,
            "amount",
            r"^(?:[1-9][0-9]{0,12}(?:\.[0-9]{1,2})?|0?\.(?:[1-9][0-9]{0,1}|0[1-9]))$",
            ["0.01", ".5", ".05", "1", "12.3", "300000000.00", "9999999999999.99", "100000"],
        ),
        (
            DealLineItemSerializer,
            "amount",
            r"^-?[0-9]{1,13}(?:\.[0-9]{1,2})?$",
            ["0", "0.00", "0.01", "1", "-1", "-0.5", "12.3", "300000000.00", "9999999999999.99", "100000"],
        ),
        (
            ExchangeRateSerializer,
            "rate_to_usd",
            r"^-?[0-9]{1,5}(?:\.[0-9]{1,10})?$",
            ["0", "0.00", "0.01", "1", "-1", "-0.5", "1.234", "12.3", "99999.9999999999", "0.0000000001"],
        ),
    ],
)
def test_a_decimal_sent_matches_a_pattern_of_only_values_the_field_takes(serializer, name, pattern, accepted):
    field = serializer().fields[name]
    assert decimal_pattern(field) == pattern
    assert [value for value in DECIMALS if re.fullmatch(pattern, value)] == accepted
    for value in accepted:
        field.run_validation(value)


@pytest.mark.parametrize("component", ["DealBulkUpdateRequest", "EnterpriseBulkUpdateRequest"])
def test_the_id_of_a_bulk_change_has_the_bounds_the_server_checks(generated, component):
    (_, own) = yaml.safe_load(generated)["components"]["schemas"][component]["allOf"]
    assert own["properties"]["id"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
        "description": "The record to change.",
    }


def model_serializers() -> list[type]:
    from rest_framework.serializers import ModelSerializer

    import config.urls  # noqa: F401  # every collection's serializers, imported as the site imports them

    found, unwalked = [], [ModelSerializer]
    while unwalked:
        for subclass in unwalked.pop().__subclasses__():
            unwalked.append(subclass)
            if subclass.__module__.split(".")[0] in {"deals", "delegations", "expo", "figures", "framework"}:
                found.append(subclass)
    return found


def blank_choices(serializer_class: type) -> list[tuple[str, bool]]:
    """Each field of ``serializer_class`` whose model field is a choice that may be blank, with
    whether the serializer field allows the blank."""
    meta = getattr(serializer_class, "Meta", None)
    if meta is None or getattr(meta, "model", None) is None:
        return []
    fields = serializer_class().fields
    found = []
    for name, field in fields.items():
        try:
            model_field = meta.model._meta.get_field(field.source)
        except Exception:  # noqa: S112  # a method or a related path: no one model field to weigh
            continue
        if (
            getattr(model_field, "choices", None)
            and getattr(model_field, "blank", False)
            and hasattr(field, "allow_blank")
        ):
            found.append((name, field.allow_blank))
    return found


def test_every_blank_choice_may_come_back_blank_read_only_ones_included():
    # A read-only field of a choice that may be blank (a count's currency) must say so, or the schema
    # says a blank answer is not one of the choices.
    checked = {f"{cls.__name__}.{name}": allowed for cls in model_serializers() for name, allowed in blank_choices(cls)}
    assert checked["StatementInFigureSerializer.currency"] is True
    assert checked["FigureStatementSerializer.currency"] is True
    assert [name for name, allowed in checked.items() if not allowed] == []


def test_a_statement_of_a_count_documents_its_blank_currency(generated):
    currency = yaml.safe_load(generated)["components"]["schemas"]["StatementInFigure"]["properties"]["currency"]
    assert currency["oneOf"] == [
        {"$ref": "#/components/schemas/CurrencyEnum"},
        {"$ref": "#/components/schemas/BlankEnum"},
    ]


def test_every_id_parameter_is_a_whole_number(generated):
    # A number 3.69e+18 is "Enter a whole number." to the server: the schema must not offer it.
    schema = yaml.safe_load(generated)
    ids = {
        f"{method.upper()} {path} {parameter['name']}": parameter["schema"]["type"]
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        if parameter["schema"].get("maximum") == 2**63 - 1
    }
    assert ids["GET /api/stats/reconciliation/ source"] == "integer"
    assert ids["GET /api/reported-figures/ source"] == "integer"
    assert {name: kind for name, kind in ids.items() if kind != "integer"} == {}


def test_an_enterprise_conflict_may_come_without_candidates(generated):
    # An Idempotency-Key reused for another request is a 409 too, with no candidates.
    conflict = yaml.safe_load(generated)["components"]["schemas"]["ProbableDuplicateError"]
    assert conflict["required"] == ["errors", "type"]
    assert "candidates" in conflict["properties"]


def test_a_value_in_us_dollars_documents_that_its_currency_can_only_be_usd(generated):
    schemas = yaml.safe_load(generated)["components"]["schemas"]
    assert schemas["DealRequest"]["properties"]["stated_value_usd"]["allOf"][0] == {
        "$ref": "#/components/schemas/UsdMoneyRequest"
    }
    assert schemas["UsdMoneyCurrencyEnum"]["enum"] == ["USD"]
    assert schemas["DealRequest"]["properties"]["value"]["allOf"][0] == {"$ref": "#/components/schemas/MoneyRequest"}
