"""The brief form of markets and categories that others embed in their responses."""

from rest_framework import serializers

from deals.models import Category, Market


class MarketBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Market
        fields = ("id", "name", "name_zh")


class CategoryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("id", "name", "name_zh")
