"""Schema examples built from the seed deal: the ZKH–Dow organo-silicon order at the 6th CIIE,
with the Chinese names the seed's reference list gives (its markets have none)."""

from drf_spectacular.utils import OpenApiExample

ZKH_DOW_RESPONSE = {
    "id": 1,
    "title": "Organo-silicon products procurement order",
    "description": (
        "A procurement order mainly for organo-silicon products, one of which makes its debut in the Asia "
        "Pacific. Based on the deal, the two sides will jointly explore downstream markets for industrial products."
    ),
    "buyer": {
        "id": 1,
        "name": "ZKH Industrial Supply Co",
        "name_zh": "震坤行工业超市（上海）有限公司",
        "country": "CN",
    },
    "seller": {"id": 2, "name": "Dow", "name_zh": "陶氏", "country": ""},
    "delegation": {"id": 2, "name": "Qingpu District trading delegation", "name_zh": "青浦区交易分团"},
    "edition": {
        "id": 1,
        "name": "6th China International Import Expo",
        "name_zh": "第六届中国国际进口博览会",
        "number": 6,
    },
    "value": {"amount": "300000000.00", "currency": "USD"},
    "stated_value_usd": None,
    "value_usd": {"amount": "300000000.00", "currency": "USD"},
    "usd_rate": "1.0000000000",
    "usd_rate_date": None,
    "usd_rate_source": "",
    "stage": "signed",
    "signed_on": None,
    "first_deal_of": {"id": 1, "name": "Shanghai trading delegation", "name_zh": "上海交易团"},
    "is_first_deal": True,
    "regional_debut": True,
    "debut_region": "Asia Pacific",
    "markets": [
        {"id": 5, "name": "Architecture", "name_zh": ""},
        {"id": 1, "name": "Electronics", "name_zh": ""},
        {"id": 3, "name": "New energy", "name_zh": ""},
        {"id": 4, "name": "Packaging", "name_zh": ""},
        {"id": 2, "name": "Transportation", "name_zh": ""},
    ],
    "line_items": [
        {
            "id": 1,
            "product": "Organo-silicon products",
            "category": {"id": 1, "name": "Organo-silicon products", "name_zh": "有机硅产品"},
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
