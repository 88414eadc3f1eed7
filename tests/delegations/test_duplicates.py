"""Duplicate detection (delegations.duplicates): keys of names, the reasons, their weights and the
threshold, and candidates found by lookups rather than by reading every enterprise."""

import pytest

from delegations import duplicates
from delegations.duplicates import Subject
from delegations.models import EnterpriseAlias
from delegations.name_keys import name_key, pinyin_key, short_forms
from tests.factories import EnterpriseFactory, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ZKH Industrial Supply Co., Ltd.", "zkh industrial supply"),
        ("ZKH Industrial Supply Co", "zkh industrial supply"),
        ("The Dow Chemical Company", "dow chemical"),
        ("Siemens AG", "siemens"),
        ("Volkswagen (China) Investment Co., Ltd.", "volkswagen china investment"),
        ("Alibaba Group Holding Limited", "alibaba"),
        ("Nestlé S.A.", "nestle"),
        ("DBS Bank Pte. Ltd.", "dbs bank"),
        ("震坤行工业超市（上海）有限公司", "震坤行工业超市"),
        ("震坤行工业超市(上海)有限公司", "震坤行工业超市"),
        ("上海华谊集团股份有限公司", "上海华谊"),
        ("青浦有限责任公司", "青浦"),
        ("Zhènkūnxíng", "zhenkunxing"),
        ("The Company", "the company"),
        ("", ""),
    ],
)
def test_a_name_key_drops_legal_forms_places_in_brackets_punctuation_and_case(name, key):
    assert name_key(name) == key


def test_a_pinyin_key_is_the_pinyin_without_tones_or_spaces():
    assert (pinyin_key("震坤行工业超市"), pinyin_key("zkh industrial supply")) == (
        "zhenkunxinggongyechaoshi",
        "zkhindustrialsupply",
    )


def test_short_forms_are_leading_chinese_characters_or_whole_latin_words():
    assert short_forms("震坤行工业") == ["震坤", "震坤行", "震坤行工"]
    assert short_forms("zkh industrial supply") == ["zkh", "zkh industrial"]
    assert short_forms("ab industrial supply") == ["ab industrial"]
    assert short_forms("震") == []


def ranked(subject: Subject) -> list[tuple[int, int, list[tuple[str, str]]]]:
    return [
        (candidate.enterprise.pk, candidate.score, [(reason.code, reason.detail) for reason in candidate.reasons])
        for candidate in duplicates.candidates(subject)
    ]


def test_a_new_name_with_its_legal_form_is_a_probable_duplicate_of_the_name_without():
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")
    EnterpriseFactory(name="Dow Chemical", country="US")

    assert ranked(Subject(name="ZKH Industrial Supply Co., Ltd.", country="CN")) == [
        (
            zkh.pk,
            90,
            [
                (
                    "same_name",
                    '"ZKH Industrial Supply Co., Ltd." and "ZKH Industrial Supply Co" are the same name without '
                    'legal form: "zkh industrial supply".',
                ),
                ("same_country", "Both are in CN."),
            ],
        )
    ]
    assert duplicates.candidates(Subject(name="ZKH Industrial Supply Co., Ltd."))[0].score == 80 >= duplicates.THRESHOLD


def test_a_name_that_is_an_alias_of_a_saved_enterprise_is_a_probable_duplicate():
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")
    EnterpriseAlias.objects.create(enterprise=zkh, name="震坤行")

    assert ranked(Subject(name="震坤行")) == [(zkh.pk, 70, [("alias", '"震坤行" is the alias "震坤行".')])]


def test_an_alias_matching_an_alias_is_a_reason():
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")
    EnterpriseAlias.objects.create(enterprise=zkh, name="ZKH")

    assert ranked(Subject(name="Zhenkunxing Trading", aliases=["ZKH"], country="CN")) == [
        (
            zkh.pk,
            80,
            [
                ("alias", 'The aliases "ZKH" and "ZKH" are the same name.'),
                ("same_country", "Both are in CN."),
            ],
        )
    ]


def test_a_short_form_of_a_chinese_name_is_listed_below_the_threshold():
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="震坤行工业超市（上海）有限公司", country="CN")

    assert ranked(Subject(name_zh="震坤行", country="CN")) == [
        (
            zkh.pk,
            50,
            [
                ("short_name", '"震坤行" is a short form of "震坤行工业超市（上海）有限公司".'),
                ("same_country", "Both are in CN."),
            ],
        )
    ]
    assert duplicates.probable_duplicates(Subject(name_zh="震坤行", country="CN")) == []


def test_a_saved_short_form_is_found_from_the_longer_name():
    short = EnterpriseFactory(name="ZKH", country="CN")

    assert ranked(Subject(name="ZKH Industrial Supply Co., Ltd.")) == [
        (short.pk, 40, [("short_name", '"ZKH" is a short form of "ZKH Industrial Supply Co., Ltd.".')])
    ]


def test_names_that_read_the_same_in_pinyin_need_the_same_country_to_be_probable():
    homophone = EnterpriseFactory(name="Another trading house", name_zh="振坤行", country="CN")

    assert ranked(Subject(name_zh="震坤行", country="CN")) == [
        (
            homophone.pk,
            60,
            [
                ("same_pinyin", '"震坤行" and "振坤行" read the same in pinyin: "zhenkunxing".'),
                ("same_country", "Both are in CN."),
            ],
        )
    ]
    assert [candidate.score for candidate in duplicates.candidates(Subject(name="Zhenkunxing"))] == [50]


def test_the_same_uscc_is_enough_alone_and_adds_to_a_name():
    code = valid_uscc(7)
    renamed = EnterpriseFactory(name="Qingpu Silicones", uscc=code, country="CN")
    same = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")

    assert ranked(Subject(name="ZKH Industrial Supply", uscc=code, country="CN")) == [
        (
            renamed.pk,
            100,
            [
                ("same_uscc", f"Both have the Unified Social Credit Code {code}."),
                ("same_country", "Both are in CN."),
            ],
        ),
        (
            same.pk,
            90,
            [
                (
                    "same_name",
                    '"ZKH Industrial Supply" and "ZKH Industrial Supply Co" are the same name without legal form: '
                    '"zkh industrial supply".',
                ),
                ("same_country", "Both are in CN."),
            ],
        ),
    ]


def test_the_same_country_alone_is_no_reason():
    EnterpriseFactory(name="Dow Chemical", country="CN")

    assert ranked(Subject(name="ZKH Industrial Supply", country="CN")) == []


def test_a_saved_enterprise_is_not_its_own_candidate():
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")
    copy = EnterpriseFactory(name="ZKH Industrial Supply Co., Ltd.", country="CN")

    assert [pk for pk, _, _ in ranked(Subject.of(zkh))] == [copy.pk]


def test_probable_duplicates_leave_out_those_said_to_be_distinct():
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co")

    subject = Subject(name="ZKH Industrial Supply Co., Ltd.")
    assert [candidate.enterprise for candidate in duplicates.probable_duplicates(subject)] == [zkh]
    assert duplicates.probable_duplicates(subject, ignore=[zkh.pk]) == []


def test_a_check_reads_only_the_candidates(django_assert_num_queries):
    for n in range(30):
        EnterpriseFactory(name=f"Unrelated enterprise {n}")
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co")

    # The exact lookups, the short-form lookups, the candidates and their aliases.
    with django_assert_num_queries(4):
        found = duplicates.candidates(Subject(name="ZKH Industrial Supply Co., Ltd."))

    assert [candidate.enterprise for candidate in found] == [zkh]


def test_nothing_to_compare_finds_nothing(django_assert_num_queries):
    EnterpriseFactory(name="ZKH")

    with django_assert_num_queries(0):
        assert duplicates.candidates(Subject(country="CN")) == []
