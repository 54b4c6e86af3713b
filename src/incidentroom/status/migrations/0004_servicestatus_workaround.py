from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("status", "0003_publication")]

    operations = [
        migrations.AddField(
            model_name="servicestatus",
            name="workaround",
            field=models.TextField(
                blank=True, help_text="The workaround in place, in words for residents (confirmed by comms)"
            ),
        ),
    ]
