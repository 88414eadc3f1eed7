"""factory-boy factories for every model, one module per app. Each builds a valid row: every
database constraint holds for the defaults."""

from tests.factories.deals import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    ExchangeRateFactory,
    MarketFactory,
)
from tests.factories.delegations import (
    DelegationFactory,
    EnterpriseAliasFactory,
    EnterpriseFactory,
    ParticipationFactory,
    PromotionalActivityFactory,
    SettlementFactory,
    valid_uscc,
)
from tests.factories.expo import (
    EditionFactory,
    ExpoFactory,
    FigureStatementFactory,
    ReportedFigureFactory,
    SourceFactory,
    VenueFactory,
)
from tests.factories.users import EditorAssignmentFactory, UserFactory, admin, analyst, api_token, editor

__all__ = [
    "CategoryFactory",
    "DealFactory",
    "DealLineItemFactory",
    "DelegationFactory",
    "EditionFactory",
    "EditorAssignmentFactory",
    "EnterpriseAliasFactory",
    "EnterpriseFactory",
    "ExchangeRateFactory",
    "ExpoFactory",
    "FigureStatementFactory",
    "MarketFactory",
    "ParticipationFactory",
    "PromotionalActivityFactory",
    "ReportedFigureFactory",
    "SettlementFactory",
    "SourceFactory",
    "UserFactory",
    "VenueFactory",
    "admin",
    "analyst",
    "api_token",
    "editor",
    "valid_uscc",
]
