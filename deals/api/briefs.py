"""The brief form of markets and categories that others embed in their responses."""

from deals.models import Category, Market
from framework.api.serializers import ModelSerializer


class MarketBriefSerializer(ModelSerializer):
    class Meta:
        model = Market
        fields = ("id", "name", "name_zh")


class CategoryBriefSerializer(ModelSerializer):
    class Meta:
        model = Category
        fields = ("id", "name", "name_zh")
