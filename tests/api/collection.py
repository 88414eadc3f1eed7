"""The generic collection tests, after NetBox's ``utilities/testing/api.py``: a test class declares
an endpoint once (its model and factory, a create, an update and a partial-update payload, the
fields a row shows and the brief objects it embeds, its query budget) and inherits the list,
retrieve, create, update, partial update, delete, permission, strict-parameter and query-count
tests. Endpoints whose records others can refer to add :class:`ProtectedDeleteTests`."""

import datetime
import re
from typing import Any, ClassVar

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from factory.django import DjangoModelFactory
from rest_framework.test import APIClient

from deals.api.urls import router as deals_router
from delegations.api.urls import router as delegations_router
from expo.api.urls import router as expo_router
from figures.api.urls import router as figures_router
from framework.api.fieldsets import EVERYTHING, expandable_fields
from framework.api.values import values_renderer

MALFORMED_WRITE_VALUES: tuple[Any, ...] = (
    "",
    "abc",
    "\x00",
    -1,
    # Past PostgreSQL's smallint, integer and bigint columns, and past any column.
    2**15,
    2**31,
    2**63,
    10**400,
    "NaN",
    "1e400",
    "x" * 10_000,
    "2023-13-45",
    None,
    [],
    {},
)


VIEWSETS = {
    basename: viewset
    for router in (expo_router, delegations_router, deals_router, figures_router)
    for _, viewset, basename in router.registry
}
# The collection each model is listed in, by basename.
BASENAMES = {viewset.queryset.model: basename for basename, viewset in VIEWSETS.items()}


def errors(response) -> list[tuple[str, str | None]]:
    """The ``(code, attr)`` of each error in an error response."""
    return [(error["code"], error["attr"]) for error in response.json()["errors"]]


def error_attrs(response) -> set[str | None]:
    return {error["attr"] for error in response.json()["errors"]}


def list_url(basename: str) -> str:
    return reverse(f"{basename}-list")


def detail_url(basename: str, pk: int) -> str:
    return reverse(f"{basename}-detail", kwargs={"pk": pk})


def columns(instance: models.Model) -> dict[str, Any]:
    """Every column of ``instance`` as stored (``updated_at`` aside) and its many-to-many ids."""
    fresh = type(instance).objects.get(pk=instance.pk)
    values = {
        field.attname: getattr(fresh, field.attname)
        for field in fresh._meta.concrete_fields
        if field.name != "updated_at"
    }
    for field in fresh._meta.many_to_many:
        values[field.name] = sorted(getattr(fresh, field.name).values_list("pk", flat=True))
    return values


class CollectionTests:
    """List, retrieve, create, update, partial update and delete for one collection."""

    basename: ClassVar[str]
    model: ClassVar[type[models.Model]]
    factory: ClassVar[type[DjangoModelFactory]]
    # The exact keys of a row, and for each embedded record (or list of them) its exact keys.
    fields: ClassVar[tuple[str, ...]]
    brief_fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Factory overrides that give each row its own related records, so a missing
    # select_related/prefetch shows up as extra queries.
    rich: ClassVar[dict[str, Any]] = {}
    # Queries per list page and per retrieve, whatever the number of rows (anonymous caller).
    list_queries: ClassVar[int] = 2
    retrieve_queries: ClassVar[int] = 1

    def create_payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def update_payload(self) -> dict[str, Any]:
        """A full replacement (PUT) for a row made by :meth:`make_row`."""
        raise NotImplementedError

    def patch_payload(self) -> dict[str, Any]:
        """A partial update (PATCH) of one or two model fields."""
        raise NotImplementedError

    def make_row(self) -> models.Model:
        return self.factory(**self.rich)

    def make_rows(self, count: int) -> list[models.Model]:
        return self.factory.create_batch(count, **self.rich)

    def stored(self, instance: models.Model, name: str) -> Any:
        """What ``instance`` holds for the request field ``name``, in the terms of a request."""
        field = instance._meta.get_field(name)
        if field.many_to_many:
            return sorted(getattr(instance, name).values_list("pk", flat=True))
        if field.is_relation:
            return getattr(instance, field.attname)
        return getattr(instance, name)

    def as_stored(self, name: str, sent: Any) -> Any:
        """The value a row should hold after ``sent`` was written to the request field ``name``."""
        field = self.model._meta.get_field(name)
        if field.many_to_many:
            return sorted(sent)
        if field.is_relation:
            return sent
        return field.to_python(sent)

    def assert_stored(self, instance: models.Model, payload: dict[str, Any]) -> None:
        instance = type(instance).objects.get(pk=instance.pk)
        stored = {name: self.stored(instance, name) for name in payload}
        assert stored == {name: self.as_stored(name, sent) for name, sent in payload.items()}

    def list_url(self) -> str:
        return list_url(self.basename)

    def detail_url(self, pk: int) -> str:
        return detail_url(self.basename, pk)

    # Reading

    def listed(self, client: APIClient, pk: int) -> dict[str, Any]:
        """The list's row for ``pk``."""
        (row,) = [row for row in client.get(self.list_url()).json()["results"] if row["id"] == pk]
        return row

    def test_list_is_a_page_of_every_row(self, anon: APIClient) -> None:
        self.make_rows(3)
        response = anon.get(self.list_url())
        assert response.status_code == 200
        body = response.json()
        every = list(self.model.objects.values_list("pk", flat=True))
        assert (tuple(body), body["count"], body["next"], body["previous"]) == (
            ("count", "next", "previous", "results"),
            len(every),
            None,
            None,
        )
        assert sorted(row["id"] for row in body["results"]) == sorted(every)

    def test_rows_show_the_declared_fields_and_brief_objects(self, anon: APIClient) -> None:
        row = self.listed(anon, self.make_row().pk)
        assert tuple(row) == self.fields
        for name, keys in self.brief_fields.items():
            embedded = row[name] if isinstance(row[name], list) else [row[name]]
            assert embedded, f"{name} is empty: the factory overrides should fill it"
            assert [tuple(item) for item in embedded] == [keys] * len(embedded), name

    def test_retrieve_shows_the_row_as_the_list_does(self, anon: APIClient) -> None:
        row = self.make_row()
        response = anon.get(self.detail_url(row.pk))
        assert response.status_code == 200
        assert response.json() == self.listed(anon, row.pk)

    def test_retrieve_of_a_missing_row_is_404(self, anon: APIClient) -> None:
        response = anon.get(self.detail_url(999_999))
        assert response.status_code == 404
        assert response.json() == {
            "type": "client_error",
            "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
        }

    def test_list_refuses_an_unknown_query_parameter(self, anon: APIClient) -> None:
        response = anon.get(self.list_url(), {"nosuch": "1"})
        assert response.status_code == 400
        assert errors(response) == [("unknown_parameter", "nosuch")]

    def test_retrieve_refuses_any_query_parameter(self, anon: APIClient) -> None:
        row = self.make_row()
        response = anon.get(self.detail_url(row.pk), {"limit": "5"})
        assert response.status_code == 400
        assert errors(response) == [("unknown_parameter", "limit")]

    # Query budget

    def test_list_queries_do_not_grow_with_rows(self, anon: APIClient, django_assert_num_queries) -> None:
        self.make_rows(5)
        few = self.model.objects.count()
        with django_assert_num_queries(self.list_queries):
            first = anon.get(self.list_url())
        self.make_rows(45)
        with django_assert_num_queries(self.list_queries):
            second = anon.get(self.list_url())
        assert (len(first.json()["results"]), len(second.json()["results"])) == (min(few, 50), 50)

    @pytest.mark.parametrize("limit", [10, 100, 1000])
    def test_list_queries_are_the_same_at_every_limit(
        self, anon: APIClient, django_assert_num_queries, limit: int
    ) -> None:
        self.make_rows(12)
        with django_assert_num_queries(self.list_queries):
            response = anon.get(self.list_url(), {"limit": limit})
        assert len(response.json()["results"]) == min(limit, self.model.objects.count())

    def test_list_is_rendered_from_rows(self) -> None:
        """Lists take the fast path: rows from ``.values()``, not model instances (the list and
        retrieve tests above check that both render the same)."""
        viewset = VIEWSETS[self.basename]
        assert values_renderer(viewset.serializer_class, EVERYTHING, self.model) is not None

    def test_retrieve_queries(self, anon: APIClient, django_assert_num_queries) -> None:
        row = self.make_row()
        with django_assert_num_queries(self.retrieve_queries):
            response = anon.get(self.detail_url(row.pk))
        assert response.status_code == 200

    # Writing

    def test_create_stores_what_was_sent(self, admin_api: APIClient) -> None:
        payload = self.create_payload()
        before = self.model.objects.count()
        response = admin_api.post(self.list_url(), payload)
        assert response.status_code == 201, response.json()
        assert self.model.objects.count() == before + 1
        self.assert_stored(self.model.objects.get(pk=response.json()["id"]), payload)

    def test_create_answers_with_the_record_as_a_get_shows_it(self, admin_api: APIClient) -> None:
        response = admin_api.post(self.list_url(), self.create_payload())
        assert response.status_code == 201, response.json()
        assert response.json() == admin_api.get(self.detail_url(response.json()["id"])).json()

    def test_update_replaces_the_fields(self, admin_api: APIClient) -> None:
        row = self.make_row()
        payload = self.update_payload()
        response = admin_api.put(self.detail_url(row.pk), payload)
        assert response.status_code == 200, response.json()
        self.assert_stored(row, payload)

    def test_partial_update_changes_only_what_is_sent(self, admin_api: APIClient) -> None:
        row = self.make_row()
        payload = self.patch_payload()
        before = columns(row)
        response = admin_api.patch(self.detail_url(row.pk), payload)
        assert response.status_code == 200, response.json()
        after = columns(row)
        changed = {name for name in before if before[name] != after[name]}
        assert changed == {self.model._meta.get_field(name).attname for name in payload}
        self.assert_stored(row, payload)

    def test_delete_removes_the_row(self, admin_api: APIClient) -> None:
        row = self.make_row()
        response = admin_api.delete(self.detail_url(row.pk))
        assert response.status_code == 204
        assert not self.model.objects.filter(pk=row.pk).exists()

    def test_create_with_malformed_values_is_never_a_server_error(self, admin_api: APIClient) -> None:
        offenders = []
        valid = self.create_payload()
        for name in valid:
            for value in MALFORMED_WRITE_VALUES:
                response = admin_api.post(self.list_url(), {**valid, name: value})
                named = response.status_code == 400 and all(
                    attr is not None and attr.split(".")[0] in {name, "non_field_errors"}
                    for attr in error_attrs(response)
                )
                if response.status_code == 201:
                    # Gone again, so the next attempt meets no uniqueness conflict of its own making.
                    self.model.objects.filter(pk=response.json()["id"]).delete()
                elif not named:
                    offenders.append((name, repr(value)[:30], response.status_code, response.content[:200]))
        assert offenders == []

    # Permissions

    def attempt(self, method: str) -> tuple[models.Model, str, dict[str, Any]]:
        """A row, and the URL and payload of a ``method`` write to it (or to the list, for POST)."""
        row = self.make_row()
        if method == "post":
            return row, self.list_url(), self.create_payload()
        payload = {"put": self.update_payload, "patch": self.patch_payload}.get(method, dict)()
        return row, self.detail_url(row.pk), payload

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_anonymous_cannot_write(self, anon: APIClient, method: str) -> None:
        row, url, payload = self.attempt(method)
        before = (self.model.objects.count(), columns(row))
        response = getattr(anon, method)(url, payload)
        assert response.status_code in {401, 403}
        assert errors(response) == [("not_authenticated", None)]
        assert (self.model.objects.count(), columns(row)) == before

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_user_without_model_permissions_cannot_write(self, unprivileged_api: APIClient, method: str) -> None:
        row, url, payload = self.attempt(method)
        before = (self.model.objects.count(), columns(row))
        response = getattr(unprivileged_api, method)(url, payload)
        assert response.status_code == 403
        assert errors(response) == [("permission_denied", None)]
        assert (self.model.objects.count(), columns(row)) == before


class SelectionTests:
    """Sparse fieldsets, expansion and incremental sync, for every collection: ``fields``,
    ``omit`` and ``expand`` shape a row and the query behind it; ``updated_since``,
    ``Last-Modified``/``If-Modified-Since``, ``If-None-Match`` and the deletion feed let a client
    keep a copy cheaply."""

    def expandable(self) -> list[str]:
        return expandable_fields(VIEWSETS[self.basename].serializer_class().fields)

    def test_fields_narrows_every_row_to_the_fields_named(self, anon: APIClient) -> None:
        self.make_rows(2)
        last = self.fields[-1]
        response = anon.get(self.list_url(), {"fields": f"{last},id"})
        assert response.status_code == 200
        # In the order the full row has them, whatever the order asked.
        assert {tuple(row) for row in response.json()["results"]} == {("id", last)}

    def test_omit_leaves_out_the_fields_named(self, anon: APIClient) -> None:
        row = self.make_row()
        full = self.listed(anon, row.pk)
        response = anon.get(self.list_url(), {"omit": ",".join(self.fields[1:3])})
        (narrow,) = [item for item in response.json()["results"] if item["id"] == row.pk]
        assert narrow == {name: value for name, value in full.items() if name not in self.fields[1:3]}

    def test_retrieve_takes_fields_and_omit(self, anon: APIClient) -> None:
        row = self.make_row()
        assert anon.get(self.detail_url(row.pk), {"fields": "id"}).json() == {"id": row.pk}
        omitted = anon.get(self.detail_url(row.pk), {"omit": "id"}).json()
        assert tuple(omitted) == self.fields[1:]

    def test_fields_id_reads_one_table_in_two_queries(self, anon: APIClient) -> None:
        self.make_rows(3)
        with CaptureQueriesContext(connection) as queries:
            response = anon.get(self.list_url(), {"fields": "id"})
        assert response.status_code == 200
        # The count and the page, reading no column besides the id; a join is there only where
        # the order needs it.
        assert len(queries.captured_queries) == 2
        page = queries.captured_queries[1]["sql"]
        assert re.findall(r'"(\w+)"\."(\w+)"', page.split(" FROM ")[0]) == [(self.model._meta.db_table, "id")]

    def test_each_expanded_record_is_shown_as_its_own_detail_shows_it(self, anon: APIClient) -> None:
        row = self.make_row()
        names = self.expandable()
        if not names:
            assert errors(anon.get(self.list_url(), {"expand": "source"})) == [("unknown_expand", "expand")]
            return
        response = anon.get(self.list_url(), {"expand": ",".join(names)})
        assert response.status_code == 200, response.json()
        (expanded,) = [item for item in response.json()["results"] if item["id"] == row.pk]
        embedded = 0
        for name in names:
            model = self.model._meta.get_field(name).related_model
            values = expanded[name] if isinstance(expanded[name], list) else [expanded[name]]
            for value in values:
                if value is not None:
                    detail = anon.get(detail_url(BASENAMES[model], value["id"]))
                    assert value == detail.json(), name
                    embedded += 1
        assert embedded >= 1

    def test_expanding_everything_keeps_the_queries_constant(self, anon: APIClient, django_assert_num_queries) -> None:
        parameters = {"expand": ",".join(self.expandable())} if self.expandable() else {}
        self.make_rows(2)
        with CaptureQueriesContext(connection) as few:
            anon.get(self.list_url(), parameters)
        self.make_rows(20)
        with django_assert_num_queries(len(few.captured_queries)):
            response = anon.get(self.list_url(), parameters)
        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("parameter", "value", "code"),
        [
            ("fields", "id,nosuch", "unknown_fields"),
            ("fields", "", "invalid_field_list"),
            ("fields", "id,,title", "invalid_field_list"),
            ("omit", "nosuch", "unknown_omit"),
            ("omit", "", "invalid_field_list"),
            ("expand", "id", "unknown_expand"),
            ("expand", "", "invalid_field_list"),
        ],
    )
    def test_a_bad_selection_is_a_400_naming_the_parameter(
        self, anon: APIClient, parameter: str, value: str, code: str
    ) -> None:
        response = anon.get(self.list_url(), {parameter: value})
        assert response.status_code == 400
        assert errors(response) == [(code, parameter)]

    def test_omitting_every_field_is_a_400(self, anon: APIClient) -> None:
        response = anon.get(self.list_url(), {"fields": "id", "omit": "id"})
        assert errors(response) == [("no_fields_left", "omit")]

    # Incremental sync

    def test_updated_since_lists_only_what_changed_since(self, anon: APIClient) -> None:
        old, new = self.make_rows(2)
        self.model.objects.filter(pk=old.pk).update(updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        response = anon.get(self.list_url(), {"updated_since": "2021-01-01T00:00:00Z", "fields": "id"})
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert (old.pk in ids, new.pk in ids) == (False, True)

    def test_a_detail_is_a_304_while_unchanged(self, anon: APIClient) -> None:
        row = self.make_row()
        first = anon.get(self.detail_url(row.pk))
        stored = self.model.objects.get(pk=row.pk).updated_at
        assert first["Last-Modified"] == http_date(stored.timestamp())
        unchanged = [
            anon.get(self.detail_url(row.pk), headers={"If-Modified-Since": first["Last-Modified"]}),
            anon.get(self.detail_url(row.pk), headers={"If-None-Match": first["ETag"]}),
            anon.get(self.detail_url(row.pk), headers={"If-None-Match": f'"stale", {first["ETag"]}'}),
            # Weak comparison: the tag matches with or without its W/.
            anon.get(self.detail_url(row.pk), headers={"If-None-Match": first["ETag"].removeprefix("W/")}),
        ]
        assert first["ETag"].startswith('W/"')
        assert [(r.status_code, r.content, r["ETag"], r["Last-Modified"]) for r in unchanged] == [
            (304, b"", first["ETag"], first["Last-Modified"])
        ] * 4
        changed = [
            anon.get(self.detail_url(row.pk), headers={"If-Modified-Since": http_date(stored.timestamp() - 1)}),
            anon.get(self.detail_url(row.pk), headers={"If-None-Match": '"stale"'}),
            # A tag that does not match wins over a date that does.
            anon.get(
                self.detail_url(row.pk),
                headers={"If-None-Match": '"stale"', "If-Modified-Since": first["Last-Modified"]},
            ),
            anon.get(self.detail_url(row.pk), headers={"If-Modified-Since": "not a date"}),
        ]
        assert [(r.status_code, r.json()) for r in changed] == [(200, first.json())] * 4

    def test_a_deleted_row_is_listed_in_the_deletion_feed(self, admin_api: APIClient) -> None:
        row = self.make_row()
        collection = self.list_url().strip("/").split("/")[-1]
        before = timezone.now()
        assert admin_api.delete(self.detail_url(row.pk)).status_code == 204
        response = admin_api.get(reverse("deletion-list"), {"collection": collection})
        (entry,) = response.json()["results"]
        assert before <= parse_datetime(entry.pop("deleted_at")) <= timezone.now()
        assert entry == {
            "id": entry["id"],
            "collection": collection,
            "record_id": row.pk,
            "kind": "deleted",
            "survivor_id": None,
        }


class ProtectedDeleteTests:
    """For records others refer to: deleting one still referred to is a 409 that deletes nothing."""

    # The verbose plural of what refers to the row, as the 409 names it.
    referred_by: ClassVar[str]

    def referrer(self, instance: models.Model) -> models.Model:
        """Create and return a record that refers to ``instance``."""
        raise NotImplementedError

    def test_delete_while_referred_to_is_a_409(self, admin_api: APIClient) -> None:
        row = self.make_row()
        self.referrer(row)
        response = admin_api.delete(self.detail_url(row.pk))
        assert response.status_code == 409
        assert response.json() == {
            "type": "client_error",
            "errors": [
                {
                    "code": "protected",
                    "detail": f"Cannot delete: still referred to by {self.referred_by}. Delete or change those first.",
                    "attr": None,
                }
            ],
        }

    def test_refused_delete_deletes_nothing(self, admin_api: APIClient) -> None:
        row = self.make_row()
        referrer = self.referrer(row)
        admin_api.delete(self.detail_url(row.pk))
        assert self.model.objects.filter(pk=row.pk).exists()
        assert type(referrer).objects.filter(pk=referrer.pk).exists()
