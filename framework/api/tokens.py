"""API tokens: obtain one with a username and password, list yours, revoke one or all."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from knox.settings import knox_settings
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from framework.api.errors import ErrorResponseSerializer
from framework.api.filters import check_query_parameters
from framework.api.serializers import ModelSerializer
from framework.api.throttling import ScopedRateThrottle
from framework.models import ApiToken

WRONG_CREDENTIALS = "Wrong username or password."


def token_issue(*, user: AbstractBaseUser, client: str = "") -> tuple[ApiToken, str]:
    """A new token of ``user`` for ``client``, expiring after ``API_TOKEN_TTL_HOURS``: the stored row
    (which keeps only the token's hash) and the token itself, which nothing can show again."""
    return ApiToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL, client=client)


class TokenSerializer(ModelSerializer):
    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = ("token_key", "client", "created", "expiry")
        read_only_fields = ("token_key", "created", "expiry")


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown only in this response: keep it safe.")

    class Meta(TokenSerializer.Meta):
        fields = ("token", *TokenSerializer.Meta.fields)


class ObtainTokenSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    # A password is checked as typed: spaces around it are part of it.
    password = serializers.CharField(
        max_length=1024, style={"input_type": "password"}, write_only=True, trim_whitespace=False
    )
    client = serializers.CharField(
        max_length=100,
        required=False,
        default="",
        allow_blank=True,
        help_text="What will use the token, e.g. 'sales dashboard'.",
    )


@extend_schema_view(
    list=extend_schema(tags=["auth"], summary="List your API tokens"),
    create=extend_schema(
        tags=["auth"],
        summary="Obtain an API token",
        description="Send a username and password; the token in the answer is shown only once and expires at "
        "`expiry`. Send it as `Authorization: Token <token>`.",
        request=ObtainTokenSerializer,
        responses={
            201: NewTokenSerializer,
            401: OpenApiResponse(
                ErrorResponseSerializer,
                description="Wrong username or password (or the user is inactive).",
                examples=[
                    OpenApiExample(
                        "WrongCredentials",
                        value={
                            "type": "client_error",
                            "errors": [{"code": "authentication_failed", "detail": WRONG_CREDENTIALS, "attr": None}],
                        },
                        status_codes=["401"],
                    )
                ],
            ),
        },
        auth=[],
    ),
    destroy=extend_schema(tags=["auth"], summary="Revoke one of your API tokens"),
    revoke_all=extend_schema(tags=["auth"], summary="Revoke all your API tokens", request=None, responses={204: None}),
)
class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = TokenSerializer
    lookup_field = "token_key"
    # No NUL: PostgreSQL refuses one in a query, so such a key must match no route rather than fail.
    lookup_value_regex = r"[^/\x00]{1,25}"

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self.action == "create" else [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self.action == "create":
            self.throttle_scope = "login"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        allowed = {"limit", "offset"} if self.action == "list" else set()
        check_query_parameters(self, request, allowed=allowed, multi_valued=set())

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).order_by("-created", "token_key")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        credentials = ObtainTokenSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(
            request, username=credentials.validated_data["username"], password=credentials.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed(WRONG_CREDENTIALS)
        instance, token = token_issue(user=user, client=credentials.validated_data["client"])
        instance.token = token
        return Response(NewTokenSerializer(instance).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"], url_path="revoke-all")
    @transaction.atomic
    def revoke_all(self, request: Request) -> Response:
        self.get_queryset().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
