"""Read-only fields sent in a write are ignored: a write with them answers and stores exactly what
the same write without them does, and the row keeps its id and creation time."""

import pytest
from django.urls import reverse

from tests.access.matrix import ADMIN, COLLECTIONS, COMMON_READ_ONLY, EDITOR, EDITOR_WRITABLE, SHANGHAI, STALE

WRITERS = [
    *(pytest.param(ADMIN, collection, id=f"{ADMIN}-{collection}") for collection in COLLECTIONS),
    *(pytest.param(EDITOR, collection, id=f"{EDITOR}-{collection}") for collection in EDITOR_WRITABLE),
]
# Editors also create the rows of collections they change none of (enterprises).
CREATORS = [
    *WRITERS,
    *(
        pytest.param(EDITOR, collection, id=f"{EDITOR}-{collection}")
        for collection in COLLECTIONS
        if collection.editor_creates
    ),
]


def derived(body: dict, collection) -> dict:
    """The collection's own read-only fields (those computed from others) in a response."""
    return {name: body[name] for name in collection.read_only}


@pytest.mark.parametrize(("role", "collection"), CREATORS)
def test_read_only_fields_sent_in_a_create_are_ignored(world, role, collection):
    client = world.client(role)
    url = reverse(collection.list_url_name)
    delegation = world.delegation(SHANGHAI)
    sent = {**COMMON_READ_ONLY, **collection.read_only}

    plain = client.post(url, collection.create(world, delegation))
    response = client.post(url, {**collection.create(world, delegation), **sent})

    assert (plain.status_code, response.status_code) == (201, 201)
    body = response.json()
    assert derived(body, collection) == derived(plain.json(), collection)
    assert [name for name in sent if body[name] == sent[name]] == []
    assert not collection.model.objects.filter(pk=sent["id"]).exists()
    assert client.get(reverse(collection.detail_url_name, args=[body["id"]])).json() == body


@pytest.mark.parametrize("method", [pytest.param("put", id="replace"), pytest.param("patch", id="update")])
@pytest.mark.parametrize(("role", "collection"), WRITERS)
def test_read_only_fields_sent_in_an_update_are_ignored(world, role, collection, method):
    client = world.client(role)
    row = collection.make(world, world.delegation(SHANGHAI))
    url = reverse(collection.detail_url_name, args=[row.pk])
    body = dict(collection.changes)
    if method == "put":
        body = {**collection.create(world, world.delegation(SHANGHAI)), **body}
    sent = {**COMMON_READ_ONLY, **collection.read_only}

    plain = getattr(client, method)(url, body)
    response = getattr(client, method)(url, {**body, **sent})

    assert (plain.status_code, response.status_code) == (200, 200)
    after = response.json()
    assert derived(after, collection) == derived(plain.json(), collection)
    assert [name for name in collection.read_only if after[name] == sent[name]] == []
    assert (after["id"], after["created_at"]) == (row.pk, plain.json()["created_at"])
    assert after["updated_at"] != STALE
    assert client.get(url).json() == after
