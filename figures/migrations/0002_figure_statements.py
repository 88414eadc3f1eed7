"""Statements of a figure: a table of their own, and the subjects a figure may have beside a delegation."""

import django.core.validators
import django.db.models.deletion
import framework.models
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('delegations', '0006_enterprise_aliases'),
        ('expo', '0008_source_text'),
        ('figures', '0001_moved_from_expo'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='reportedfigure',
            name='reportedfigure_qualifier_valid',
        ),
        migrations.RemoveConstraint(
            model_name='reportedfigure',
            name='reportedfigure_value_not_negative',
        ),
        migrations.RemoveConstraint(
            model_name='reportedfigure',
            name='reportedfigure_quote_not_empty',
        ),
        migrations.RemoveConstraint(
            model_name='reportedfigure',
            name='reportedfigure_currency_iso4217',
        ),
        migrations.RemoveConstraint(
            model_name='reportedfigure',
            name='reportedfigure_currency_or_unit',
        ),
        migrations.CreateModel(
            name='FigureStatement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
                ('value', models.DecimalField(decimal_places=2, max_digits=20, validators=[django.core.validators.MaxValueValidator(Decimal('9999999999999.99'))])),
                ('qualifier', models.CharField(choices=[('exact', 'exactly'), ('more_than', 'more than'), ('at_least', 'at least'), ('about', 'about')], default='exact', max_length=10)),
                ('currency', framework.models.CurrencyField(blank=True, choices=[('AED', 'AED – UAE Dirham'), ('AFN', 'AFN – Afghani'), ('ALL', 'ALL – Lek'), ('AMD', 'AMD – Armenian Dram'), ('AOA', 'AOA – Kwanza'), ('ARS', 'ARS – Argentine Peso'), ('AUD', 'AUD – Australian Dollar'), ('AWG', 'AWG – Aruban Florin'), ('AZN', 'AZN – Azerbaijan Manat'), ('BAM', 'BAM – Convertible Mark'), ('BBD', 'BBD – Barbados Dollar'), ('BDT', 'BDT – Taka'), ('BHD', 'BHD – Bahraini Dinar'), ('BIF', 'BIF – Burundi Franc'), ('BMD', 'BMD – Bermudian Dollar'), ('BND', 'BND – Brunei Dollar'), ('BOB', 'BOB – Boliviano'), ('BOV', 'BOV – Mvdol'), ('BRL', 'BRL – Brazilian Real'), ('BSD', 'BSD – Bahamian Dollar'), ('BTN', 'BTN – Ngultrum'), ('BWP', 'BWP – Pula'), ('BYN', 'BYN – Belarusian Ruble'), ('BZD', 'BZD – Belize Dollar'), ('CAD', 'CAD – Canadian Dollar'), ('CDF', 'CDF – Congolese Franc'), ('CHE', 'CHE – WIR Euro'), ('CHF', 'CHF – Swiss Franc'), ('CHW', 'CHW – WIR Franc'), ('CLF', 'CLF – Unidad de Fomento'), ('CLP', 'CLP – Chilean Peso'), ('CNY', 'CNY – Yuan Renminbi'), ('COP', 'COP – Colombian Peso'), ('COU', 'COU – Unidad de Valor Real'), ('CRC', 'CRC – Costa Rican Colon'), ('CUP', 'CUP – Cuban Peso'), ('CVE', 'CVE – Cabo Verde Escudo'), ('CZK', 'CZK – Czech Koruna'), ('DJF', 'DJF – Djibouti Franc'), ('DKK', 'DKK – Danish Krone'), ('DOP', 'DOP – Dominican Peso'), ('DZD', 'DZD – Algerian Dinar'), ('EGP', 'EGP – Egyptian Pound'), ('ERN', 'ERN – Nakfa'), ('ETB', 'ETB – Ethiopian Birr'), ('EUR', 'EUR – Euro'), ('FJD', 'FJD – Fiji Dollar'), ('FKP', 'FKP – Falkland Islands Pound'), ('GBP', 'GBP – Pound Sterling'), ('GEL', 'GEL – Lari'), ('GHS', 'GHS – Ghana Cedi'), ('GIP', 'GIP – Gibraltar Pound'), ('GMD', 'GMD – Dalasi'), ('GNF', 'GNF – Guinean Franc'), ('GTQ', 'GTQ – Quetzal'), ('GYD', 'GYD – Guyana Dollar'), ('HKD', 'HKD – Hong Kong Dollar'), ('HNL', 'HNL – Lempira'), ('HTG', 'HTG – Gourde'), ('HUF', 'HUF – Forint'), ('IDR', 'IDR – Rupiah'), ('ILS', 'ILS – New Israeli Sheqel'), ('INR', 'INR – Indian Rupee'), ('IQD', 'IQD – Iraqi Dinar'), ('IRR', 'IRR – Iranian Rial'), ('ISK', 'ISK – Iceland Krona'), ('JMD', 'JMD – Jamaican Dollar'), ('JOD', 'JOD – Jordanian Dinar'), ('JPY', 'JPY – Yen'), ('KES', 'KES – Kenyan Shilling'), ('KGS', 'KGS – Som'), ('KHR', 'KHR – Riel'), ('KMF', 'KMF – Comorian Franc'), ('KPW', 'KPW – North Korean Won'), ('KRW', 'KRW – Won'), ('KWD', 'KWD – Kuwaiti Dinar'), ('KYD', 'KYD – Cayman Islands Dollar'), ('KZT', 'KZT – Tenge'), ('LAK', 'LAK – Lao Kip'), ('LBP', 'LBP – Lebanese Pound'), ('LKR', 'LKR – Sri Lanka Rupee'), ('LRD', 'LRD – Liberian Dollar'), ('LSL', 'LSL – Loti'), ('LYD', 'LYD – Libyan Dinar'), ('MAD', 'MAD – Moroccan Dirham'), ('MDL', 'MDL – Moldovan Leu'), ('MGA', 'MGA – Malagasy Ariary'), ('MKD', 'MKD – Denar'), ('MMK', 'MMK – Kyat'), ('MNT', 'MNT – Tugrik'), ('MOP', 'MOP – Pataca'), ('MRU', 'MRU – Ouguiya'), ('MUR', 'MUR – Mauritius Rupee'), ('MVR', 'MVR – Rufiyaa'), ('MWK', 'MWK – Malawi Kwacha'), ('MXN', 'MXN – Mexican Peso'), ('MXV', 'MXV – Mexican Unidad de Inversion (UDI)'), ('MYR', 'MYR – Malaysian Ringgit'), ('MZN', 'MZN – Mozambique Metical'), ('NAD', 'NAD – Namibia Dollar'), ('NGN', 'NGN – Naira'), ('NIO', 'NIO – Cordoba Oro'), ('NOK', 'NOK – Norwegian Krone'), ('NPR', 'NPR – Nepalese Rupee'), ('NZD', 'NZD – New Zealand Dollar'), ('OMR', 'OMR – Rial Omani'), ('PAB', 'PAB – Balboa'), ('PEN', 'PEN – Sol'), ('PGK', 'PGK – Kina'), ('PHP', 'PHP – Philippine Peso'), ('PKR', 'PKR – Pakistan Rupee'), ('PLN', 'PLN – Zloty'), ('PYG', 'PYG – Guarani'), ('QAR', 'QAR – Qatari Rial'), ('RON', 'RON – Romanian Leu'), ('RSD', 'RSD – Serbian Dinar'), ('RUB', 'RUB – Russian Ruble'), ('RWF', 'RWF – Rwanda Franc'), ('SAR', 'SAR – Saudi Riyal'), ('SBD', 'SBD – Solomon Islands Dollar'), ('SCR', 'SCR – Seychelles Rupee'), ('SDG', 'SDG – Sudanese Pound'), ('SEK', 'SEK – Swedish Krona'), ('SGD', 'SGD – Singapore Dollar'), ('SHP', 'SHP – Saint Helena Pound'), ('SLE', 'SLE – Leone'), ('SOS', 'SOS – Somali Shilling'), ('SRD', 'SRD – Surinam Dollar'), ('SSP', 'SSP – South Sudanese Pound'), ('STN', 'STN – Dobra'), ('SVC', 'SVC – El Salvador Colon'), ('SYP', 'SYP – Syrian Pound'), ('SZL', 'SZL – Lilangeni'), ('THB', 'THB – Baht'), ('TJS', 'TJS – Somoni'), ('TMT', 'TMT – Turkmenistan New Manat'), ('TND', 'TND – Tunisian Dinar'), ('TOP', 'TOP – Pa’anga'), ('TRY', 'TRY – Turkish Lira'), ('TTD', 'TTD – Trinidad and Tobago Dollar'), ('TWD', 'TWD – New Taiwan Dollar'), ('TZS', 'TZS – Tanzanian Shilling'), ('UAH', 'UAH – Hryvnia'), ('UGX', 'UGX – Uganda Shilling'), ('USD', 'USD – US Dollar'), ('USN', 'USN – US Dollar (Next day)'), ('UYI', 'UYI – Uruguay Peso en Unidades Indexadas (UI)'), ('UYU', 'UYU – Peso Uruguayo'), ('UYW', 'UYW – Unidad Previsional'), ('UZS', 'UZS – Uzbekistan Sum'), ('VED', 'VED – Bolívar Soberano'), ('VES', 'VES – Bolívar Soberano'), ('VND', 'VND – Dong'), ('VUV', 'VUV – Vatu'), ('WST', 'WST – Tala'), ('XAD', 'XAD – Arab Accounting Dinar'), ('XAF', 'XAF – CFA Franc BEAC'), ('XAG', 'XAG – Silver'), ('XAU', 'XAU – Gold'), ('XBA', 'XBA – Bond Markets Unit European Composite Unit (EURCO)'), ('XBB', 'XBB – Bond Markets Unit European Monetary Unit (E.M.U.-6)'), ('XBC', 'XBC – Bond Markets Unit European Unit of Account 9 (E.U.A.-9)'), ('XBD', 'XBD – Bond Markets Unit European Unit of Account 17 (E.U.A.-17)'), ('XCD', 'XCD – East Caribbean Dollar'), ('XCG', 'XCG – Caribbean Guilder'), ('XDR', 'XDR – SDR (Special Drawing Right)'), ('XOF', 'XOF – CFA Franc BCEAO'), ('XPD', 'XPD – Palladium'), ('XPF', 'XPF – CFP Franc'), ('XPT', 'XPT – Platinum'), ('XSU', 'XSU – Sucre'), ('XTS', 'XTS – Codes specifically reserved for testing purposes'), ('XUA', 'XUA – ADB Unit of Account'), ('XXX', 'XXX – The codes assigned for transactions where no currency is involved'), ('YER', 'YER – Yemeni Rial'), ('ZAR', 'ZAR – Rand'), ('ZMW', 'ZMW – Zambian Kwacha'), ('ZWG', 'ZWG – Zimbabwe Gold')], help_text='ISO 4217 code for money; empty for counts.', max_length=3)),
                ('quote', models.TextField(help_text='The sentence of the source the value comes from, verbatim.')),
                ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', help_text='`preferred`: the value to use (at most one per figure); `deprecated`: known to be wrong.', max_length=10)),
                ('as_of', models.DateField(blank=True, help_text='The date the value stands at, where the source says.', null=True)),
                ('value_usd', models.DecimalField(blank=True, decimal_places=2, help_text='Money in US dollars; empty for counts and where no rate applies.', max_digits=20, null=True, validators=[django.core.validators.MaxValueValidator(Decimal('9999999999999.99'))], verbose_name='value in USD')),
                ('usd_rate', models.DecimalField(blank=True, decimal_places=10, help_text='USD per one unit of the currency that `value_usd` was computed with.', max_digits=20, null=True, validators=[django.core.validators.MaxValueValidator(Decimal('99999.9999999999'))], verbose_name='USD rate')),
                ('usd_rate_source', models.CharField(blank=True, choices=[('', 'no USD value'), ('usd', 'already in US dollars'), ('stated', "the source's own conversion"), ('rate_table', 'the exchange rate table')], help_text="Where the rate came from: the source's own conversion in the quote, or the rate table.", max_length=10, verbose_name='USD rate from')),
            ],
            options={
                'ordering': ['figure_id', 'id'],
            },
        ),
        migrations.AddField(
            model_name='reportedfigure',
            name='description',
            field=models.CharField(blank=True, default='', help_text='What exactly is measured, where the metric alone does not say (e.g. which event or market).', max_length=200),
        ),
        migrations.AddField(
            model_name='reportedfigure',
            name='enterprise',
            field=models.ForeignKey(blank=True, help_text="The enterprise the figure is about (e.g. one buyer's orders as a total); empty otherwise.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reported_figures', to='delegations.enterprise'),
        ),
        migrations.AlterField(
            model_name='reportedfigure',
            name='metric',
            field=models.CharField(choices=[('trading_volume', 'Trading volume'), ('intention_order_volume', 'Procurement orders of intention'), ('registered_organisations', 'Enterprises and organisations registered'), ('professional_audience', 'Professional audience registered'), ('dealers_registered', 'Dealers registered'), ('settlements_confirmed', 'Settlements confirmed'), ('settlements_intended', 'Settlements intended'), ('promotional_activities', 'Promotional activities held'), ('first_orders_of_parent', "Editions signing the parent delegation's first order"), ('companies_in_talks', 'Companies in in-depth talks with foreign participants'), ('event_attendance', 'Attendance of an event'), ('market_sales', 'Sales of a market'), ('daily_visitors', 'Daily visitor flow')], max_length=40),
        ),
        migrations.AddField(
            model_name='figurestatement',
            name='figure',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='figures.reportedfigure'),
        ),
        migrations.AddField(
            model_name='figurestatement',
            name='source',
            field=models.ForeignKey(blank=True, help_text="Where this record's facts come from.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='expo.source'),
        ),
        migrations.AddIndex(
            model_name='figurestatement',
            index=models.Index(fields=['source'], name='figurestatement_source_idx'),
        ),
        migrations.AddConstraint(
            model_name='figurestatement',
            constraint=models.CheckConstraint(condition=models.Q(('qualifier__in', ['exact', 'more_than', 'at_least', 'about'])), name='figurestatement_qualifier_valid', violation_error_message='Qualifier must be one of exact, more_than, at_least, about.'),
        ),
        migrations.AddConstraint(
            model_name='figurestatement',
            constraint=models.CheckConstraint(condition=models.Q(('rank__in', ['preferred', 'normal', 'deprecated'])), name='figurestatement_rank_valid', violation_error_message='Rank must be one of preferred, normal, deprecated.'),
        ),
        migrations.AddConstraint(
            model_name='figurestatement',
            constraint=models.CheckConstraint(condition=models.Q(('value__gte', 0)), name='figurestatement_value_not_negative', violation_error_message='A reported figure cannot be negative.'),
        ),
        migrations.AddConstraint(
            model_name='figurestatement',
            constraint=models.CheckConstraint(condition=models.Q(('quote', ''), _negated=True), name='figurestatement_quote_not_empty', violation_error_message='A statement needs the sentence it comes from.'),
        ),
        migrations.AddConstraint(
            model_name='figurestatement',
            constraint=models.CheckConstraint(condition=models.Q(('currency__in', ('AED', 'AFN', 'ALL', 'AMD', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BHD', 'BIF', 'BMD', 'BND', 'BOB', 'BOV', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHE', 'CHF', 'CHW', 'CLF', 'CLP', 'CNY', 'COP', 'COU', 'CRC', 'CUP', 'CVE', 'CZK', 'DJF', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GNF', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IQD', 'IRR', 'ISK', 'JMD', 'JOD', 'JPY', 'KES', 'KGS', 'KHR', 'KMF', 'KPW', 'KRW', 'KWD', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'LYD', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MXV', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'OMR', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'PYG', 'QAR', 'RON', 'RSD', 'RUB', 'RWF', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TND', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'UGX', 'USD', 'USN', 'UYI', 'UYU', 'UYW', 'UZS', 'VED', 'VES', 'VND', 'VUV', 'WST', 'XAD', 'XAF', 'XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XCD', 'XCG', 'XDR', 'XOF', 'XPD', 'XPF', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX', 'YER', 'ZAR', 'ZMW', 'ZWG')), ('currency', ''), _connector='OR'), name='figurestatement_currency_iso4217', violation_error_message='Currency must be an ISO 4217 code, such as USD or CNY.'),
        ),
        migrations.AddConstraint(
            model_name='figurestatement',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('usd_rate__isnull', True), ('usd_rate_source', ''), ('value_usd__isnull', True)), models.Q(models.Q(('usd_rate_source', ''), _negated=True), ('usd_rate__isnull', False), ('value_usd__isnull', False)), _connector='OR'), name='figurestatement_usd_value_with_its_rate', violation_error_message='A USD value comes with its rate and where the rate came from.'),
        ),
        migrations.AddConstraint(
            model_name='figurestatement',
            constraint=models.UniqueConstraint(condition=models.Q(('rank', 'preferred')), fields=('figure',), name='figurestatement_one_preferred_per_figure', violation_error_message='The figure already has a preferred statement; rank this one normal.'),
        ),
    ]
