"""The code lists the database constraints check against: ISO 3166-1 alpha-2 countries and
ISO 4217 currencies, from pycountry (pinned, so migrations stay stable)."""

import pycountry

COUNTRY_CODES: tuple[str, ...] = tuple(sorted(country.alpha_2 for country in pycountry.countries))
CURRENCY_CODES: tuple[str, ...] = tuple(sorted(currency.alpha_3 for currency in pycountry.currencies))

COUNTRY_CHOICES = [(country.alpha_2, country.name) for country in sorted(pycountry.countries, key=lambda c: c.name)]
CURRENCY_CHOICES = [
    (currency.alpha_3, f"{currency.alpha_3} – {currency.name}")
    for currency in sorted(pycountry.currencies, key=lambda c: c.alpha_3)
]
