"""Enterprise findings for the quality report (delegations.quality)."""

import pytest

from delegations.models import Enterprise
from delegations.quality import uscc_check_findings
from tests.factories import EnterpriseFactory, valid_uscc

pytestmark = pytest.mark.django_db


def test_enterprises_whose_uscc_check_character_fails_are_found_with_a_sentence(django_assert_num_queries):
    first = EnterpriseFactory(uscc="91350200M00001234X")
    EnterpriseFactory(uscc=valid_uscc(1))
    EnterpriseFactory(uscc="")
    second = EnterpriseFactory(uscc="91310000MA1FL4XXXX")

    with django_assert_num_queries(1):
        findings = list(uscc_check_findings(Enterprise.objects.all()))

    assert findings == [
        (
            first.pk,
            "The check character of its Unified Social Credit Code 91350200M00001234X does not match the other "
            "17 characters.",
        ),
        (
            second.pk,
            "The check character of its Unified Social Credit Code 91310000MA1FL4XXXX does not match the other "
            "17 characters.",
        ),
    ]


def test_the_findings_are_of_the_queryset_given():
    EnterpriseFactory(uscc="91350200M00001234X", country="CN")

    assert list(uscc_check_findings(Enterprise.objects.filter(country="DE"))) == []
