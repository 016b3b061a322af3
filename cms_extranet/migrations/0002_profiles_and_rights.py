from django.db import migrations

# (code, name, requestable, needs_approval, request_condition, denied_to_auditors): SPEC §2-3
PROFILES = [
    ("mlp", "Extranet-MLP", True, False, "registers_in_mlp", False),
    ("das", "Extranet-DAS", False, False, "", True),
    ("esf", "Extranet-ESF-rapportering", False, False, "", False),
    ("loopbaan", "Extranet-Loopbaanbegeleiding", True, False, "", False),
    ("vertrouwelijk", "Extranet-Vertrouwelijk luik", False, False, "", False),
    ("uitbetaling", "Extranet voor Uitbetalingsinstellingen", True, True, "uitbetaling_access", False),
]

# (code, name, profile it gives, needs the MLP training)
RIGHTS = [
    ("mijn-vdab", "VDAB voor partners/Mijn VDAB", None, False),
    ("mlp", "Mijn Loopbaan voor Partners (MLP)", "mlp", True),
    ("das", "Digitaal Archief Samenwerking (Ar-DAS-gebruiker)", "das", False),
    ("esf", "ESF-rapportering", "esf", False),
    ("loopbaancheques", "Registreer loopbaancheques", "loopbaan", False),
    ("loopbaancentrum", "Loopbaancentrum", "loopbaan", False),
    ("vertrouwelijk", "Enkel Vertrouwelijk luik", "vertrouwelijk", False),
    ("vacatures", "Vacatures plaatsen", None, False),
]


def create(apps, schema_editor):
    Profile = apps.get_model("cms_extranet", "Profile")
    ApplicationRight = apps.get_model("cms_extranet", "ApplicationRight")
    for code, name, requestable, needs_approval, condition, denied_to_auditors in PROFILES:
        Profile.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "requestable": requestable,
                "needs_approval": needs_approval,
                "request_condition": condition,
                "denied_to_auditors": denied_to_auditors,
            },
        )
    for code, name, profile_code, requires_training in RIGHTS:
        ApplicationRight.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "profile": Profile.objects.get(code=profile_code) if profile_code else None,
                "requires_mlp_training": requires_training,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("cms_extranet", "ApplicationRight").objects.filter(
        code__in=[r[0] for r in RIGHTS]
    ).delete()
    apps.get_model("cms_extranet", "Profile").objects.filter(
        code__in=[p[0] for p in PROFILES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("cms_extranet", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
