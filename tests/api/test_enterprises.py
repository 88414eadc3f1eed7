"""Enterprises through the API: their aliases, the USCC warning, the duplicate checks and the 409 of
a create that looks like a saved enterprise."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from delegations.models import Enterprise, EnterpriseAlias
from tests.factories import DelegationFactory, EnterpriseFactory, editor, valid_uscc

pytestmark = pytest.mark.django_db

ENTERPRISES = reverse("enterprise-list")
CHECK = reverse("enterprise-check-duplicates")
BULK = reverse("enterprise-bulk")
ZKH_DETAIL = '"ZKH Industrial Supply Co., Ltd." and "ZKH Industrial Supply Co" are the same name without legal form: '
ZKH_KEY = '"zkh industrial supply".'


@pytest.fixture
def zkh() -> Enterprise:
    return EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="震坤行工业超市（上海）有限公司", country="CN")


def errors(response) -> list[tuple[str, str | None, str]]:
    return [(error["code"], error["attr"], error["detail"]) for error in response.json()["errors"]]


def brief(enterprise: Enterprise) -> dict:
    return {"id": enterprise.pk, "name": enterprise.name, "name_zh": enterprise.name_zh, "country": enterprise.country}


def detail_url(enterprise: Enterprise) -> str:
    return reverse("enterprise-detail", args=[enterprise.pk])


# Aliases


def test_aliases_are_written_and_shown_with_the_enterprise(admin_api):
    response = admin_api.post(
        ENTERPRISES,
        {
            "name": "Dow Chemical (China) Investment Co., Ltd.",
            "country": "US",
            "aliases": [{"name": "陶氏", "kind": "other_language"}, {"name": "Dow"}],
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["aliases"] == [{"name": "Dow", "kind": "short"}, {"name": "陶氏", "kind": "other_language"}]
    enterprise = Enterprise.objects.get()
    assert list(enterprise.aliases.values_list("name", "kind", "name_key", "pinyin_key")) == [
        ("Dow", "short", "dow", "dow"),
        ("陶氏", "other_language", "陶氏", "taoshi"),
    ]
    assert list(enterprise.history.values_list("history_type", "history_change_reason")) == [
        ("+", "aliases added: 陶氏 (other_language), Dow (short)")
    ]


def test_a_put_replaces_the_aliases_and_the_history_says_how(admin_api, zkh):
    EnterpriseAlias.objects.create(enterprise=zkh, name="ZKH")
    EnterpriseAlias.objects.create(enterprise=zkh, name="震坤行")
    kept = zkh.aliases.get(name="震坤行").pk

    response = admin_api.put(
        detail_url(zkh), {"name": zkh.name, "country": "CN", "aliases": [{"name": "震坤行"}, {"name": "Zhenkunxing"}]}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["aliases"] == [{"name": "Zhenkunxing", "kind": "short"}, {"name": "震坤行", "kind": "short"}]
    assert zkh.aliases.get(name="震坤行").pk == kept
    assert zkh.history.latest().history_change_reason == "aliases added: Zhenkunxing (short); removed: ZKH"


def test_a_patch_without_aliases_leaves_them(admin_api, zkh):
    EnterpriseAlias.objects.create(enterprise=zkh, name="ZKH")

    response = admin_api.patch(detail_url(zkh), {"industry": "MRO procurement"})

    assert response.json()["aliases"] == [{"name": "ZKH", "kind": "short"}]
    assert zkh.history.latest().history_change_reason is None


def test_a_patch_with_no_aliases_removes_them(admin_api, zkh):
    EnterpriseAlias.objects.create(enterprise=zkh, name="ZKH")

    response = admin_api.patch(detail_url(zkh), {"aliases": []})

    assert (response.json()["aliases"], zkh.aliases.count()) == ([], 0)
    assert zkh.history.latest().history_change_reason == "aliases removed: ZKH"


def test_an_alias_given_twice_is_refused_by_its_index(admin_api, zkh):
    response = admin_api.patch(detail_url(zkh), {"aliases": [{"name": "ZKH"}, {"name": "ZKH", "kind": "former"}]})

    assert (response.status_code, errors(response)) == (
        400,
        [("duplicate_alias", "aliases.1.name", "This alias is given twice.")],
    )
    assert zkh.aliases.count() == 0


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ({"name": ""}, ("blank", "aliases.0.name", "This field may not be blank.")),
        (
            {"name": "ZKH", "kind": "nickname"},
            ("invalid_choice", "aliases.0.kind", '"nickname" is not a valid choice.'),
        ),
        ({"kind": "short"}, ("required", "aliases.0.name", "This field is required.")),
    ],
)
def test_a_malformed_alias_is_refused_by_its_field(admin_api, zkh, alias, expected):
    response = admin_api.patch(detail_url(zkh), {"aliases": [alias]})

    assert (response.status_code, errors(response)) == (400, [expected])


# The USCC warning


def test_a_failing_check_character_is_kept_with_a_warning_and_a_valid_one_without(admin_api):
    failing = admin_api.post(ENTERPRISES, {"name": "Xiamen Trading", "uscc": "91350200M00001234X"})
    valid = admin_api.post(ENTERPRISES, {"name": "Qingpu Silicones", "uscc": valid_uscc(3)})
    unknown = admin_api.post(ENTERPRISES, {"name": "Songjiang Chemicals"})

    assert [r.json()["uscc_check_valid"] for r in (failing, valid, unknown)] == [False, True, None]


# Duplicates of a saved enterprise


def test_the_duplicates_of_a_saved_enterprise_are_ranked_with_their_reasons(anon, zkh):
    copy = EnterpriseFactory(name="ZKH Industrial Supply Co., Ltd.", country="CN")
    short = EnterpriseFactory(name="Another name", name_zh="震坤行", country="DE")
    EnterpriseFactory(name="Dow Chemical", country="CN")

    response = anon.get(reverse("enterprise-duplicates", args=[copy.pk]))

    assert response.status_code == 200
    assert response.json() == [
        {
            "enterprise": brief(zkh),
            "score": 90,
            "reasons": [
                {"code": "same_name", "detail": ZKH_DETAIL + ZKH_KEY},
                {"code": "same_country", "detail": "Both are in CN."},
            ],
        },
    ]
    assert anon.get(reverse("enterprise-duplicates", args=[short.pk])).json() == [
        {
            "enterprise": brief(zkh),
            "score": 40,
            "reasons": [
                {"code": "short_name", "detail": '"震坤行" is a short form of "震坤行工业超市（上海）有限公司".'}
            ],
        }
    ]


def test_the_duplicates_of_a_missing_enterprise_are_a_404(anon):
    for pk in (987654, "zkh"):
        response = anon.get(f"{ENTERPRISES}{pk}/duplicates/")
        assert (response.status_code, errors(response)[0][0]) == (404, "not_found")


def test_the_duplicates_of_a_saved_enterprise_take_no_query_parameters(anon, zkh):
    response = anon.get(reverse("enterprise-duplicates", args=[zkh.pk]), {"name": "ZKH"})

    assert (response.status_code, [(code, attr) for code, attr, _ in errors(response)]) == (
        400,
        [("unknown_parameter", "name")],
    )


# Duplicates of a name not yet saved


def test_a_name_not_yet_saved_is_checked_by_its_alias(anon, zkh):
    EnterpriseAlias.objects.create(enterprise=zkh, name="震坤行")

    response = anon.get(CHECK, {"name": "震坤行", "country": "CN"})

    assert response.status_code == 200
    assert response.json() == [
        {
            "enterprise": brief(zkh),
            "score": 80,
            "reasons": [
                {"code": "alias", "detail": '"震坤行" is the alias "震坤行".'},
                {"code": "same_country", "detail": "Both are in CN."},
            ],
        }
    ]


def test_a_check_by_uscc_alone(anon):
    code = valid_uscc(5)
    holder = EnterpriseFactory(name="Qingpu Silicones", uscc=code)

    response = anon.get(CHECK, {"uscc": code})

    assert response.json() == [
        {
            "enterprise": brief(holder),
            "score": 100,
            "reasons": [{"code": "same_uscc", "detail": f"Both have the Unified Social Credit Code {code}."}],
        }
    ]


def test_a_check_with_nothing_to_check_is_a_400(anon):
    for params in ({}, {"country": "CN"}, {"name": "...", "name_zh": "", "uscc": "", "country": "CN"}):
        response = anon.get(CHECK, params)
        assert (response.status_code, [(code, detail) for code, _, detail in errors(response)]) == (
            400,
            [("nothing_to_check", "Give a name, name_zh or uscc to check.")],
        ), params


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"name": "ZKH", "limit": "5"}, ("unknown_parameter", "limit")),
        ({"uscc": "91310118000000001O"}, ("invalid_uscc", "uscc")),
        ({"name": "ZKH", "country": "ZZ"}, ("invalid_choice", "country")),
        ({"name": "x" * 301}, ("max_length", "name")),
    ],
)
def test_a_check_refuses_a_malformed_parameter_by_name(anon, params, expected):
    response = anon.get(CHECK, params)

    assert (response.status_code, [(code, attr) for code, attr, _ in errors(response)]) == (400, [expected])


# The 409 of a create


def test_an_editor_creating_a_probable_duplicate_gets_a_409_with_the_candidates(zkh):
    client = APIClient()
    client.force_authenticate(editor(DelegationFactory()))

    response = client.post(ENTERPRISES, {"name": "ZKH Industrial Supply Co., Ltd.", "country": "CN"})

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "probable_duplicate",
                "detail": f"Probably a duplicate of: ZKH Industrial Supply Co (id {zkh.pk}, score 90: same_name, "
                "same_country). If it is another enterprise, send their ids in distinct_from.",
                "attr": "distinct_from",
            }
        ],
        "candidates": [
            {
                "enterprise": brief(zkh),
                "score": 90,
                "reasons": [
                    {"code": "same_name", "detail": ZKH_DETAIL + ZKH_KEY},
                    {"code": "same_country", "detail": "Both are in CN."},
                ],
            }
        ],
    }
    assert list(Enterprise.objects.all()) == [zkh]


def test_a_create_said_to_be_distinct_from_its_candidates_is_made(admin_api, zkh):
    response = admin_api.post(
        ENTERPRISES, {"name": "ZKH Industrial Supply Co., Ltd.", "country": "CN", "distinct_from": [zkh.pk]}
    )

    assert response.status_code == 201, response.json()
    assert "distinct_from" not in response.json()
    assert Enterprise.objects.count() == 2


def test_a_create_distinct_from_others_only_is_still_refused(admin_api, zkh):
    other = EnterpriseFactory(name="Dow Chemical")

    response = admin_api.post(ENTERPRISES, {"name": "ZKH Industrial Supply", "distinct_from": [other.pk]})

    assert (response.status_code, [c["enterprise"]["id"] for c in response.json()["candidates"]]) == (409, [zkh.pk])


def test_a_create_distinct_from_a_missing_enterprise_is_a_400(admin_api):
    response = admin_api.post(ENTERPRISES, {"name": "ZKH", "distinct_from": [987654]})

    assert (response.status_code, [(code, attr) for code, attr, _ in errors(response)]) == (
        400,
        [("does_not_exist", "distinct_from")],
    )


def test_a_create_whose_aliases_match_a_saved_name_is_refused(admin_api, zkh):
    response = admin_api.post(ENTERPRISES, {"name": "Zhenkunxing MRO", "aliases": [{"name": "ZKH Industrial Supply"}]})

    assert response.status_code == 409
    assert response.json()["candidates"][0]["reasons"] == [
        {"code": "alias", "detail": 'The alias "ZKH Industrial Supply" is "ZKH Industrial Supply Co".'}
    ]


def test_a_short_form_alone_does_not_refuse_a_create(admin_api, zkh):
    response = admin_api.post(ENTERPRISES, {"name": "Another trading house", "name_zh": "震坤行", "country": "CN"})

    assert response.status_code == 201


def test_an_update_to_a_duplicate_name_is_not_refused(admin_api, zkh):
    other = EnterpriseFactory(name="Qingpu Silicones")

    response = admin_api.patch(detail_url(other), {"name": "ZKH Industrial Supply Co., Ltd."})

    assert response.status_code == 200


def test_a_bulk_create_refuses_each_probable_duplicate_by_its_item(admin_api, zkh):
    response = admin_api.post(
        BULK,
        {
            "items": [
                {"name": "Qingpu Silicones"},
                {"name": "ZKH Industrial Supply Co., Ltd.", "country": "CN"},
                {"name": "ZKH Industrial Supply Co., Ltd.", "distinct_from": [zkh.pk]},
            ]
        },
    )

    assert (response.status_code, errors(response)) == (
        400,
        [
            (
                "probable_duplicate",
                "items.1.distinct_from",
                f"Probably a duplicate of: ZKH Industrial Supply Co (id {zkh.pk}, score 90: same_name, same_country). "
                "If it is another enterprise, send their ids in distinct_from.",
            )
        ],
    )
    assert list(Enterprise.objects.all()) == [zkh]


def test_a_later_bulk_item_is_checked_against_an_earlier_one(admin_api):
    response = admin_api.post(BULK, {"items": [{"name": "Qingpu Silicones Co"}, {"name": "Qingpu Silicones Ltd"}]})

    assert (response.status_code, [(code, attr) for code, attr, _ in errors(response)]) == (
        400,
        [("probable_duplicate", "items.1.distinct_from")],
    )


def test_an_editor_may_not_change_or_delete_an_enterprise(zkh):
    client = APIClient()
    client.force_authenticate(editor(DelegationFactory()))

    changed = client.patch(detail_url(zkh), {"industry": "Chemicals"})
    deleted = client.delete(detail_url(zkh))

    assert [changed.status_code, deleted.status_code] == [403, 403]
    assert Enterprise.objects.get().industry == "Industrial supplies"
