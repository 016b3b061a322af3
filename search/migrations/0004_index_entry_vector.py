"""A GIN index on the vector the database backend searches (``title || body``): Wagtail's
own indexes cover each column alone, so its query would read every index entry."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS extranet_search_entry_vector "
            "ON wagtailsearch_indexentry USING gin ((title || body))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS extranet_search_entry_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("extranet_search", "0003_english_source_strings"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop)]
