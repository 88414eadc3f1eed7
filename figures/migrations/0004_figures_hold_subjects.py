"""A figure keeps its subject and metric; its value, qualifier, quote and source are its statements'."""

import django.core.validators
import django.db.models.deletion
import framework.models
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('figures', '0003_statements_from_figures'),
    ]

    operations = [
        # Defaults the old columns take when this is undone, until the statements give them back.
        migrations.AlterField(
            model_name='reportedfigure',
            name='value',
            field=models.DecimalField(decimal_places=2, default=Decimal(0), max_digits=20, validators=[django.core.validators.MaxValueValidator(Decimal('9999999999999.99'))]),
        ),
        migrations.AlterField(
            model_name='reportedfigure',
            name='quote',
            field=models.TextField(default='', help_text='The sentence of the source the figure comes from, verbatim.'),
        ),
        migrations.RemoveField(
            model_name='reportedfigure',
            name='as_of',
        ),
        migrations.RemoveField(
            model_name='reportedfigure',
            name='currency',
        ),
        migrations.RemoveField(
            model_name='reportedfigure',
            name='qualifier',
        ),
        migrations.RemoveField(
            model_name='reportedfigure',
            name='quote',
        ),
        migrations.RemoveField(
            model_name='reportedfigure',
            name='source',
        ),
        migrations.RemoveField(
            model_name='reportedfigure',
            name='value',
        ),
        migrations.AlterField(
            model_name='reportedfigure',
            name='delegation',
            field=models.ForeignKey(blank=True, help_text="The delegation the figure is about; empty for an expo-wide figure or an enterprise's.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reported_figures', to='delegations.delegation'),
        ),
        migrations.AlterField(
            model_name='reportedfigure',
            name='edition',
            field=models.ForeignKey(help_text='The edition the figure is about; for a run of editions, the last one.', on_delete=django.db.models.deletion.PROTECT, related_name='reported_figures', to='expo.edition'),
        ),
        migrations.AlterField(
            model_name='reportedfigure',
            name='unit',
            field=models.CharField(blank=True, help_text='What is counted, for counts; empty for money.', max_length=60),
        ),
        migrations.AddConstraint(
            model_name='reportedfigure',
            constraint=models.CheckConstraint(condition=models.Q(('delegation__isnull', True), ('enterprise__isnull', True), _connector='OR'), name='reportedfigure_one_subject', violation_error_message='A figure is about a delegation or an enterprise at an edition, not both.'),
        ),
        migrations.AddConstraint(
            model_name='reportedfigure',
            constraint=models.UniqueConstraint(condition=models.Q(('delegation__isnull', False)), fields=('metric', 'edition', 'consecutive_editions', 'delegation', 'description'), name='reportedfigure_one_per_delegation_subject', violation_error_message='This delegation already has this figure; add a statement to it.'),
        ),
        migrations.AddConstraint(
            model_name='reportedfigure',
            constraint=models.UniqueConstraint(condition=models.Q(('enterprise__isnull', False)), fields=('metric', 'edition', 'consecutive_editions', 'enterprise', 'description'), name='reportedfigure_one_per_enterprise_subject', violation_error_message='This enterprise already has this figure; add a statement to it.'),
        ),
        migrations.AddConstraint(
            model_name='reportedfigure',
            constraint=models.UniqueConstraint(condition=models.Q(('delegation__isnull', True), ('enterprise__isnull', True)), fields=('metric', 'edition', 'consecutive_editions', 'description'), name='reportedfigure_one_per_edition_subject', violation_error_message='This edition already has this figure; add a statement to it.'),
        ),
    ]
