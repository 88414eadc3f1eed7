"""Writes, for every role, collection and verb: who may create, replace, update and delete rows
and move deals through their stages. Every refused write leaves the database as it was."""

import pytest
from django.urls import reverse

from deals.models import Deal, DealStageChange
from tests.access.matrix import (
    ANALYST,
    ANONYMOUS,
    COLLECTIONS,
    DEAL_ACTIONS,
    DEALS,
    DELEGATIONS,
    EDITED,
    EDITOR,
    EDITOR_WRITABLE,
    NO_ROLE,
    ROLES,
    SHANGHAI,
    ZHEJIANG,
)

ERROR_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def refusal(role: str, *, collection, target: str, verb: str) -> int | None:
    """The status a ``verb`` (create, update, delete) by ``role`` of a row of the ``target``
    delegation is refused with (None: it is allowed). Editors write only their collections, and
    only in their delegations (other rows do not exist for their writes); they also create rows
    of the collections that let them (enterprises), and change none of those."""
    if role == ANONYMOUS:
        return 401
    if role == EDITOR and verb == "create" and collection.editor_creates:
        return None
    if role in (NO_ROLE, ANALYST) or (role == EDITOR and not collection.editor_writable):
        return 403
    if role == EDITOR and target not in EDITED:
        return 404
    return None


def cases(collections, *, refused: bool, verb: str) -> list:
    """Role × collection × delegation of the row a ``verb`` writes, the allowed or the refused ones
    (these with the status). Rows of collections editors do not write are nobody's: one delegation
    will do."""
    params = []
    for role in ROLES:
        for collection in collections:
            for target in DELEGATIONS if collection.editor_writable else (SHANGHAI,):
                status = refusal(role, collection=collection, target=target, verb=verb)
                if (status is not None) != refused:
                    continue
                name = f"{role}-{collection}-{target}" if collection.editor_writable else f"{role}-{collection}"
                values = (role, collection, target, status) if refused else (role, collection, target)
                params.append(pytest.param(*values, id=name))
    return params


def error_codes(response) -> list[tuple[str, str | None]]:
    return [(error["code"], error["attr"]) for error in response.json()["errors"]]


def refused_with(status: int) -> tuple[int, list]:
    return status, [(ERROR_CODES[status], None)]


def ids(model) -> set[int]:
    return set(model.objects.values_list("pk", flat=True))


def snapshot(model) -> list[dict]:
    """Every row of ``model`` as stored, with the ids of its many-to-many relations: equal before
    and after a write when it changed, created and deleted nothing."""
    rows = list(model.objects.order_by("pk").values())
    for relation in model._meta.many_to_many:
        through = getattr(model, relation.name).through
        source = relation.m2m_field_name()
        target = relation.m2m_reverse_field_name()
        links = through.objects.order_by(source, target).values_list(f"{source}_id", f"{target}_id")
        for row in rows:
            row[relation.name] = [linked for owner, linked in links if owner == row["id"]]
    return rows


def update_body(world, collection, target: str, method: str) -> dict:
    """A PATCH sends the changes; a PUT a whole row of the same delegation with them."""
    if method == "patch":
        return dict(collection.changes)
    return {**collection.create(world, world.delegation(target)), **collection.changes}


def assert_changed(row, changes) -> None:
    row.refresh_from_db()
    for name, value in changes.items():
        assert getattr(row, name) == row._meta.get_field(name).to_python(value), name


METHODS = [pytest.param("put", id="replace"), pytest.param("patch", id="update")]


@pytest.mark.parametrize(("role", "collection", "target"), cases(COLLECTIONS, refused=False, verb="create"))
def test_create_is_allowed(world, role, collection, target):
    before = ids(collection.model)

    response = world.client(role).post(
        reverse(collection.list_url_name), collection.create(world, world.delegation(target))
    )

    assert response.status_code == 201, response.json()
    created = collection.model.objects.get(pk=response.json()["id"])
    assert ids(collection.model) == before | {created.pk}
    if collection.editor_writable:
        assert collection.delegation_of(created).name == target


@pytest.mark.parametrize(("role", "collection", "target", "status"), cases(COLLECTIONS, refused=True, verb="create"))
def test_create_is_refused(world, role, collection, target, status):
    body = collection.create(world, world.delegation(target))
    before = snapshot(collection.model)

    response = world.client(role).post(reverse(collection.list_url_name), body)

    # For a create, someone else's delegation is not a missing row but a value the editor may not give.
    expected = (400, [("out_of_scope", collection.scope_field)]) if status == 404 else refused_with(status)
    assert (response.status_code, error_codes(response)) == expected
    assert snapshot(collection.model) == before


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("role", "collection", "target"), cases(COLLECTIONS, refused=False, verb="update"))
def test_update_is_allowed(world, role, collection, target, method):
    row = collection.make(world, world.delegation(target))
    body = update_body(world, collection, target, method)

    response = getattr(world.client(role), method)(reverse(collection.detail_url_name, args=[row.pk]), body)

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == row.pk
    assert_changed(row, collection.changes)
    if collection.editor_writable:
        assert collection.delegation_of(row).name == target


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("role", "collection", "target", "status"), cases(COLLECTIONS, refused=True, verb="update"))
def test_update_is_refused(world, role, collection, target, status, method):
    row = collection.make(world, world.delegation(target))
    body = update_body(world, collection, target, method)
    before = snapshot(collection.model)

    response = getattr(world.client(role), method)(reverse(collection.detail_url_name, args=[row.pk]), body)

    assert (response.status_code, error_codes(response)) == refused_with(status)
    assert snapshot(collection.model) == before


@pytest.mark.parametrize(("role", "collection", "target"), cases(COLLECTIONS, refused=False, verb="delete"))
def test_delete_is_allowed(world, role, collection, target):
    row = collection.make(world, world.delegation(target))
    before = ids(collection.model)

    response = world.client(role).delete(reverse(collection.detail_url_name, args=[row.pk]))

    assert response.status_code == 204
    assert ids(collection.model) == before - {row.pk}


@pytest.mark.parametrize(("role", "collection", "target", "status"), cases(COLLECTIONS, refused=True, verb="delete"))
def test_delete_is_refused(world, role, collection, target, status):
    row = collection.make(world, world.delegation(target))
    before = snapshot(collection.model)

    response = world.client(role).delete(reverse(collection.detail_url_name, args=[row.pk]))

    assert (response.status_code, error_codes(response)) == refused_with(status)
    assert snapshot(collection.model) == before


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("collection", EDITOR_WRITABLE, ids=str)
def test_an_editor_cannot_move_a_row_to_another_delegation(world, collection, method):
    row = collection.make(world, world.delegation(SHANGHAI))
    moved = {collection.scope_field: collection.create(world, world.delegation(ZHEJIANG))[collection.scope_field]}
    body = {**update_body(world, collection, SHANGHAI, method), **moved}
    before = snapshot(collection.model)

    response = getattr(world.client(EDITOR), method)(reverse(collection.detail_url_name, args=[row.pk]), body)

    assert (response.status_code, error_codes(response)) == (400, [("out_of_scope", collection.scope_field)])
    assert snapshot(collection.model) == before


@pytest.mark.parametrize("action", DEAL_ACTIONS, ids=str)
@pytest.mark.parametrize(("role", "collection", "target"), cases([DEALS], refused=False, verb="action"))
def test_a_deal_action_is_allowed(world, role, collection, target, action):
    deal = collection.make(world, world.delegation(target), stage=action.stage_before)

    response = world.client(role).post(reverse(action.url_name, args=[deal.pk]), action.payload)

    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == action.stage_after
    deal.refresh_from_db()
    assert deal.stage == action.stage_after
    assert list(DealStageChange.objects.filter(deal=deal).values_list("from_stage", "to_stage")) == [
        (action.stage_before, action.stage_after)
    ]


@pytest.mark.parametrize("action", DEAL_ACTIONS, ids=str)
@pytest.mark.parametrize(("role", "collection", "target", "status"), cases([DEALS], refused=True, verb="action"))
def test_a_deal_action_is_refused(world, role, collection, target, status, action):
    # Published, so an editor reads the deals of other delegations that it may not move.
    deal = collection.make(world, world.delegation(target), stage=action.stage_before, is_published=True)
    before = snapshot(Deal)

    response = world.client(role).post(reverse(action.url_name, args=[deal.pk]), action.payload)

    assert (response.status_code, error_codes(response)) == refused_with(status)
    assert snapshot(Deal) == before
    assert not DealStageChange.objects.filter(deal=deal).exists()
    assert Deal.history.filter(id=deal.pk).count() == 1


def test_an_editor_reads_a_published_deal_of_another_delegation_but_cannot_change_it(world):
    deal = DEALS.make(world, world.delegation(ZHEJIANG), is_published=True, stage=Deal.Stage.INTENTION)
    client = world.client(EDITOR)
    url = reverse(DEALS.detail_url_name, args=[deal.pk])
    before = snapshot(Deal)

    answers = [
        client.get(url).status_code,
        client.patch(url, DEALS.changes).status_code,
        client.post(reverse("deal-sign", args=[deal.pk]), {"signed_on": "2023-11-07"}).status_code,
        client.delete(url).status_code,
    ]

    assert answers == [200, 404, 404, 404]
    assert snapshot(Deal) == before
