"""Schema examples built from the seed deal: the ZKH–Dow organo-silicon order at the 6th CIIE."""

from drf_spectacular.utils import OpenApiExample

ZKH_DOW_RESPONSE = {
    "id": 1,
    "title": "Organo-silicon products procurement order",
    "description": (
        "A procurement order mainly for organo-silicon products, one of which makes its debut in the Asia "
        "Pacific. Based on the deal, the two sides will jointly explore downstream markets for industrial products."
    ),
    "buyer": {"id": 1, "name": "ZKH Industrial Supply Co", "country": "CN"},
    "seller": {"id": 2, "name": "Dow", "country": ""},
    "delegation": {"id": 2, "name": "Qingpu District trading delegation"},
    "edition": {"id": 1, "name": "6th China International Import Expo", "number": 6},
    "value": {"amount": "300000000.00", "currency": "USD"},
    "value_usd": {"amount": "300000000.00", "currency": "USD"},
    "usd_rate": "1.0000000000",
    "usd_rate_date": None,
    "stage": "signed",
    "signed_on": None,
    "first_deal_of": {"id": 1, "name": "Shanghai trading delegation"},
    "is_first_deal": True,
    "regional_debut": True,
    "debut_region": "Asia Pacific",
    "markets": [
        {"id": 5, "name": "Architecture"},
        {"id": 1, "name": "Electronics"},
        {"id": 3, "name": "New energy"},
        {"id": 4, "name": "Packaging"},
        {"id": 2, "name": "Transportation"},
    ],
    "line_items": [
        {
            "id": 1,
            "product": "Organo-silicon products",
            "category": {"id": 1, "name": "Organo-silicon products"},
            "hs_code": "",
            "amount": None,
        }
    ],
    "is_published": True,
    "embargo_until": None,
    "source": {"id": 1, "title": "Procurement, cultural exchanges and opening-up thanks to CIIE"},
    "created_at": "2023-11-11T09:00:00Z",
    "updated_at": "2023-11-11T09:00:00Z",
}

ZKH_DOW_REQUEST = {
    "title": ZKH_DOW_RESPONSE["title"],
    "buyer": 1,
    "seller": 2,
    "delegation": 2,
    "edition": 1,
    "value": {"amount": "300000000.00", "currency": "USD"},
    "first_deal_of": 1,
    "regional_debut": True,
    "debut_region": "Asia Pacific",
    "markets": [1, 2, 3, 4, 5],
    "line_items": [{"product": "Organo-silicon products", "category": 1}],
    "is_published": True,
    "source": 1,
}

DEAL_EXAMPLES = [
    OpenApiExample("ZKH–Dow organo-silicon order", value=ZKH_DOW_REQUEST, request_only=True),
    OpenApiExample("ZKH–Dow organo-silicon order", value=ZKH_DOW_RESPONSE, response_only=True),
]

BULK_DEAL_EXAMPLES = [
    OpenApiExample(
        "A new order and a corrected one",
        value={
            "items": [
                ZKH_DOW_REQUEST,
                {"id": 7, "title": "Packaging materials framework agreement", "markets": [4]},
            ]
        },
        request_only=True,
    ),
]
