# The pool of anonymous answers waiting for their shuffled batch (kejia.surveys.pool).

import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0002_survey_min_responses'),
    ]

    operations = [
        migrations.CreateModel(
            name='PendingAnswer',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('sealed', models.TextField()),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pending_answers', to='surveys.survey')),
            ],
            options={
                'verbose_name': 'answer waiting to be released',
                'verbose_name_plural': 'answers waiting to be released',
            },
        ),
    ]
