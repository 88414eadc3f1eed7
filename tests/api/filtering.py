"""Filters are tested two ways with the same expectations: directly on the FilterSet's ``.qs``
and through the list endpoint. :class:`Finder` hides which, so each test states one case."""

from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import resolve, reverse
from django.utils.http import urlencode
from rest_framework.test import APIClient

ROUTES = ["filterset", "api"]


class Finder:
    """The ids a collection's filters select, by ``route``: ``"filterset"`` runs the view's
    FilterSet on ``queryset``; ``"api"`` asks the list endpoint as ``client``."""

    def __init__(self, *, route: str, basename: str, queryset: QuerySet, client: APIClient) -> None:
        self.route = route
        self.url = reverse(f"{basename}-list")
        self.filterset_class = resolve(self.url).func.cls.filterset_class
        self.queryset = queryset
        self.client = client

    def ordered(self, **params: Any) -> list[int]:
        """The ids selected by ``params`` (a list value repeats the parameter), in result order."""
        if self.route == "api":
            response = self.client.get(self.url, {**params, "limit": 1000})
            assert response.status_code == 200, response.json()
            return [row["id"] for row in response.json()["results"]]
        filterset = self.filterset_class(data=QueryDict(urlencode(params, doseq=True)), queryset=self.queryset)
        assert filterset.is_valid(), filterset.errors
        return list(filterset.qs.values_list("pk", flat=True))

    def __call__(self, **params: Any) -> list[int]:
        """The ids selected by ``params``, sorted (a row listed twice shows twice)."""
        return sorted(self.ordered(**params))

    def refused(self, **params: Any) -> set[str]:
        """The parameters ``params`` is refused for."""
        if self.route == "api":
            response = self.client.get(self.url, params)
            assert response.status_code == 400
            return {error["attr"] for error in response.json()["errors"]}
        filterset = self.filterset_class(data=QueryDict(urlencode(params, doseq=True)), queryset=self.queryset)
        assert not filterset.is_valid()
        return set(filterset.errors)
