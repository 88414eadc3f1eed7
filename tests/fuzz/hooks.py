"""schemathesis hooks of the fuzz run (``schemathesis.toml`` loads them).

- Every request that takes a token carries the delegation editor's. Some fuzzed requests revoke
  it, as they may (``POST /api/auth/tokens/revoke-all/``, ``DELETE /api/auth/tokens/{key}/``):
  the next request is then a 401, on which schemathesis asks for the token again and repeats
  that request. The first token is the one the run issued; each later one is obtained as a
  client would, with the editor's username and password.
- ``selected_fields``: an answer to ``fields``/``omit`` holds exactly the fields chosen, each as
  the schema documents it. It checks these answers in place of ``response_schema_conformance``,
  which takes the fields left out for missing required ones.
- ``filter_failure`` drops the few failures that are the API working as designed, or gunicorn
  answering before the API does, each named below with its reason; every other failure fails
  the run.
- ``filter_case`` sends a sample of the ISO country and currency codes where the coverage phase
  would send each of them.
"""

import atexit
import copy
import json
import os
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import requests
import schemathesis

# Seconds a token is kept before it is asked for again: the whole run (a 401 still asks at once).
KEPT_SECONDS = 24 * 60 * 60

RESPONSE_SCHEMA_CONFORMANCE = "ST108"
POSITIVE_DATA_ACCEPTANCE = "ST202"


# The tokens the run has used, the one in use last.
ISSUED: list[str] = []


@schemathesis.auth(refresh_interval=KEPT_SECONDS)
class EditorToken:
    def get(self, case, context) -> str:
        if not ISSUED:
            ISSUED.append(os.environ["FUZZ_TOKEN"])
            return ISSUED[-1]
        response = requests.post(
            f"{os.environ['FUZZ_BASE_URL']}/api/auth/tokens/",
            json={
                "username": os.environ["FUZZ_USERNAME"],
                "password": os.environ["FUZZ_PASSWORD"],
                "client": "schemathesis",
            },
            timeout=60,
        )
        response.raise_for_status()
        ISSUED.append(response.json()["token"])
        return ISSUED[-1]

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    # schemathesis sets a case's token when it generates the case, a batch at a time: one generated
    # before its token was revoked is sent with the token in use instead (else each would be a 401
    # and a new login).
    headers = case.headers or {}
    if headers.get("Authorization") in {f"Token {token}" for token in ISSUED[:-1]}:
        case.headers = {**headers, "Authorization": f"Token {ISSUED[-1]}"}


def selection_of(response) -> tuple[list[str] | None, list[str]] | None:
    """The ``fields`` and ``omit`` lists the request sent, as the API reads them; ``None`` when
    it sent neither."""
    query = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
    if "fields" not in query and "omit" not in query:
        return None
    fields = query["fields"][0].split(",") if "fields" in query else None
    omit = query["omit"][0].split(",") if "omit" in query else []
    return fields, omit


def is_selection_answer(response) -> bool:
    return response.status_code == 200 and selection_of(response) is not None


@schemathesis.check
def selected_fields(ctx, response, case) -> None:
    """A 200 answer to ``fields``/``omit`` has, in each record, exactly the fields chosen (those
    of ``fields``, else all, less those of ``omit``), each valid against the record's schema."""
    if not is_selection_answer(response):
        return
    fields, omit = selection_of(response)
    resolved = case.operation.responses.find_by_status_code(200).get_schema("application/json")
    schema = copy.deepcopy(resolved.schema)
    record = _bundled(schema, schema["$ref"])
    if "results" in record.get("properties", {}):
        record = _bundled(schema, record["properties"]["results"]["items"]["$ref"])
    shown = [name for name in dict.fromkeys(fields or record["properties"]) if name not in omit]
    record["required"] = shown
    record["propertyNames"] = {"enum": shown}
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(response.json())
    ]
    if problems:
        raise AssertionError(f"Not the fields chosen ({', '.join(shown)}) as documented:\n" + "\n".join(problems[:5]))


def _bundled(schema: dict, ref: str) -> dict:
    """The part of ``schema`` that the local reference ``ref`` (``#/x-bundled/...``) points to."""
    part = schema
    for key in ref.removeprefix("#/").split("/"):
        part = part[key]
    return part


# The coverage phase sends one request per value of an array-of-enum parameter: for the ISO lists
# (about 250 countries, 180 currencies) thousands of requests down the same code path, a third of
# the run. It sends a sample instead: the first two codes, the last, and the seed's own.
LARGE_ENUM = 20
SEED_CODES = {"CN", "USD"}


@schemathesis.hook
def filter_case(context, case) -> bool:
    data = case.meta.phase.data if case.meta is not None else None
    if getattr(data, "scenario", None) != "enum_value_items_array":
        return True
    codes = enum_of(case.operation, data.parameter)
    if len(codes) <= LARGE_ENUM:
        return True
    return set(case.query[data.parameter]) <= {*codes[:2], codes[-1], *SEED_CODES}


def enum_of(operation, name: str) -> list:
    """The values a query parameter's items may take (none if it is not an array of an enum)."""
    for parameter in operation.definition.raw.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("name") == name:
            return parameter["schema"].get("items", {}).get("enum", [])
    return []


# Errors of a valid-shaped request that no schema can rule out: the API refusing something
# about the data it holds, or a combination of values, in its own words.
BY_DESIGN = {
    # An id naming no record, or none the caller may write: the schema cannot know which exist.
    "does_not_exist",
    "not_found",
    # A delegation editor writing outside their delegations (the editor's legitimate refusal).
    "out_of_scope",
    # fields and omit that leave nothing; expand naming a field they leave out.
    "no_fields_left",
    "expand_not_shown",
    # delegation_level without group_by=delegation.
    "needs_delegation_group",
    # A first deal of a delegation the deal's own delegation is not under.
    "first_deal_of_outside_lineage",
    # A Unified Social Credit Code that is not 18 characters of its alphabet (a check character that
    # fails is only a warning).
    "invalid_uscc",
    # A new enterprise in a bulk write that looks like a saved one (a single create answers 409).
    "probable_duplicate",
    # A duplicate check given no name, Chinese name or USCC (or names of punctuation only).
    "nothing_to_check",
    # An enterprise's alias given twice in one write.
    "duplicate_alias",
    # A merge of an enterprise into itself (merges are for admins: the editor's run is refused
    # with a 403 first, an admin's would get this 400).
    "merge_refused",
    # A search of more than ten words.
    "too_many_words",
    # A cursor the list did not give (only the API makes them: any other string is refused), a cursor
    # beside an offset, and a cursor with an ordering no index serves.
    "invalid_cursor",
    "cursor_with_offset",
    "not_indexed",
    # A deal in a currency with no exchange rate on or before its date: no USD value (a clear 400
    # naming the deal's currency), and a stated USD value whose rate is implausible.
    "exchange_rate_missing",
    "stated_value_usd_invalid",
    "valuation_date_missing",
    # A figure statement whose quote is not in its source's text or does not state its value; a
    # count given a currency or money a unit (what the figure measures decides).
    "quote_not_in_source",
    "quote_states_no_number",
    "quote_states_another_value",
    "currency",
    "unit",
    # Text that is only whitespace (trimmed, it is blank) or holds NUL (PostgreSQL cannot store it).
    "blank",
    "null_characters_not_allowed",
}


def by_design_reasons(response) -> list[str] | None:
    """The error codes of a 400 that refuses a request only for reasons in ``BY_DESIGN``, or for
    rules of the whole record (``non_field_errors``: uniqueness, buyer is not seller, dates in
    order); ``None`` for any other response."""
    if response.status_code != 400:
        return None
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        return None
    reasons = [
        "non_field_errors" if (error["attr"] or "").endswith("non_field_errors") else error["code"] for error in errors
    ]
    if not reasons or any(reason not in BY_DESIGN and reason != "non_field_errors" for reason in reasons):
        return None
    return sorted(set(reasons))


# The failures dropped, by reason: written where FUZZ_DROPPED says when the run ends.
DROPPED: Counter[str] = Counter()


# gunicorn's limit on the request line (method, path and query): a longer one it answers itself.
LIMIT_REQUEST_LINE = 4094


def refused_by_gunicorn(response) -> bool:
    """Whether gunicorn answered a request line over its limit with its own 414 page (the app
    never answers 414), before the app saw the request: the server's answer, not the API's."""
    line = f"{response.request.method} {response.request.path_url} HTTP/1.1"
    return response.status_code == 414 and len(line.encode()) > LIMIT_REQUEST_LINE


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    if refused_by_gunicorn(response):
        DROPPED["414 from gunicorn: request line over 4094 bytes"] += 1
        return False
    # The fields left out by `fields`/`omit` are not missing: `selected_fields` checks these answers.
    if failure.code == RESPONSE_SCHEMA_CONFORMANCE and is_selection_answer(response):
        DROPPED["fields left out by fields/omit"] += 1
        return False
    # A valid-shaped request the data refuses (an unknown id, a duplicate).
    reasons = by_design_reasons(response) if failure.code == POSITIVE_DATA_ACCEPTANCE else None
    if reasons is not None:
        DROPPED["+".join(reasons)] += 1
        return False
    return True


@atexit.register
def write_dropped() -> None:
    if os.environ.get("FUZZ_DROPPED"):
        Path(os.environ["FUZZ_DROPPED"]).write_text(json.dumps(dict(DROPPED.most_common())))
