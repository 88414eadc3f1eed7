"""The generic collection tests, after NetBox's ``utilities/testing/api.py``: a test class declares
an endpoint once (its model and factory, a create, an update and a partial-update payload, the
fields a row shows and the brief objects it embeds, its query budget) and inherits the list,
retrieve, create, update, partial update, delete, permission, strict-parameter and query-count
tests. Endpoints whose records others can refer to add :class:`ProtectedDeleteTests`."""

from typing import Any, ClassVar

import pytest
from django.db import models
from django.urls import reverse
from factory.django import DjangoModelFactory
from rest_framework.test import APIClient

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
