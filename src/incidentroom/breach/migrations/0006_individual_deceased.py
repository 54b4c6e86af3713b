from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("breach", "0005_scan_discard"),
    ]

    operations = [
        migrations.AddField(
            model_name="individual",
            name="deceased",
            field=models.BooleanField(
                default=False, help_text="The scan found this person has died (a date of death, 'Deceased:')"
            ),
        ),
    ]
