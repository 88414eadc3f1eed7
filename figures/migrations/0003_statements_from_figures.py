"""Each reported figure's value, qualifier, currency, quote, date and source become its one
statement, ranked preferred. Figures about the same subject and metric (reports of one figure by
several sources, which had nowhere else to go) become one figure: the oldest row stays, with its
statement preferred, and the others' statements join it, ranked normal. Money in US dollars is
valued at 1; other currencies at the rate table's latest rate on or before the statement's date
(its own, else its source's, else its edition's last day), else left without a USD value.

Backwards, each figure takes its preferred statement's (else its latest one's) values back;
further statements, and figures without any, are dropped (the old layout cannot hold them)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

CENT = Decimal("0.01")


def _valuation(apps, figure):
    if not figure.currency:
        return None, None, ""
    if figure.currency == "USD":
        return figure.value, Decimal(1), "usd"
    on = figure.as_of or (figure.source.published_on if figure.source_id else None)
    on = on or figure.edition.end_date or figure.edition.start_date
    rate = (
        apps.get_model("deals", "ExchangeRate")
        .objects.filter(currency=figure.currency, date__lte=on)
        .order_by("-date")
        .first()
    )
    if rate is None:
        return None, None, ""
    return (figure.value * rate.rate_to_usd).quantize(CENT, rounding=ROUND_HALF_UP), rate.rate_to_usd, "rate_table"


def figures_to_statements(apps, schema_editor):
    figures = apps.get_model("figures", "ReportedFigure")
    statements = apps.get_model("figures", "FigureStatement")
    missing = list(figures.objects.filter(edition__isnull=True).values_list("pk", flat=True))
    if missing:
        raise RuntimeError(
            f"Reported figures {missing} name no edition; every figure is now about an edition. Give them one first."
        )
    kept = {}
    for figure in figures.objects.select_related("edition", "source").order_by("pk"):
        subject = (figure.metric, figure.edition_id, figure.consecutive_editions, figure.delegation_id)
        owner = kept.setdefault(subject, figure)
        value_usd, rate, rate_source = _valuation(apps, figure)
        statements.objects.create(
            figure_id=owner.pk,
            source_id=figure.source_id,
            value=figure.value,
            qualifier=figure.qualifier,
            currency=figure.currency,
            quote=figure.quote,
            as_of=figure.as_of,
            rank="preferred" if owner.pk == figure.pk else "normal",
            value_usd=value_usd,
            usd_rate=rate,
            usd_rate_source=rate_source,
        )
        if owner.pk != figure.pk:
            figure.delete()


def statements_to_figures(apps, schema_editor):
    figures = apps.get_model("figures", "ReportedFigure")
    statements = apps.get_model("figures", "FigureStatement")
    for figure in figures.objects.order_by("pk"):
        ranked = statements.objects.filter(figure_id=figure.pk).order_by("rank", "-as_of", "-pk")
        # "preferred" sorts after "normal": the preferred one first where there is one.
        statement = ranked.filter(rank="preferred").first() or ranked.first()
        if statement is None:
            figure.delete()
            continue
        figure.value = statement.value
        figure.qualifier = statement.qualifier
        figure.currency = statement.currency
        figure.quote = statement.quote
        figure.as_of = statement.as_of
        figure.source_id = statement.source_id
        figure.save(update_fields=["value", "qualifier", "currency", "quote", "as_of", "source", "updated_at"])
    statements.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0002_figure_statements"),
        ("deals", "0005_deep_pages_from_the_ordering_index"),
    ]

    operations = [migrations.RunPython(figures_to_statements, statements_to_figures)]
