"""The demo extranet: the seed's pages, secured sections per profile, the demo users."""

P = "paragraph"
H = "heading"


def _profile_help(code, title, intro, *sections):
    return {"slug": code, "title": title, "intro": intro, "body": list(sections)}


HELP_PAGES = [
    _profile_help(
        "extranet-mlp",
        "Extranet-MLP: wat is het en hoe krijg je toegang?",
        "De informatie op Extranet-MLP is voor organisaties die registreren in Mijn Loopbaan voor Partners (MLP).",
        (H, "Toegang krijgen"),
        (P, "<p>Je kan alleen toegang krijgen tot Extranet-MLP als jouw organisatie al in MLP registreert.</p>"),
        (H, "Heb je persoonlijk al toegang tot MLP?"),
        (P, "<p>Als je toegang tot MLP hebt of MLP is voor jou aangevraagd, dan heb je automatisch toegang tot Extranet-MLP. Je gebruikt dezelfde login.</p>"),
        (H, "Heb je geen toegang en jouw organisatie registreert in MLP?"),
        (P, "<p>Dan kan je bij jouw administrator toegangsrechten Extranet-MLP aanvragen. Van zodra je de mail van VDAB ‘Je toegang tot Extranet’ hebt ontvangen, kan je inloggen.</p>"),
        (P, "<p><strong>Let op:</strong> wie de MLP-opleiding niet volgt, krijgt geen MLP-rechten en dus ook geen Extranet-MLP-rechten.</p>"),
    ),
    _profile_help(
        "extranet-das",
        "Extranet-DAS: wat is het en hoe krijg je toegang?",
        "De informatie op Extranet-DAS is voor medewerkers die Digitaal Archief Samenwerking (DAS) gebruiken.",
        (H, "Toegang krijgen"),
        (P, "<p>Je kan alleen toegang krijgen tot Extranet-DAS als je toegang hebt tot DAS (als Ar-DAS-gebruiker). Dan heb je automatisch toegang tot Extranet-DAS, met dezelfde login.</p>"),
        (P, "<p>Auditoren hebben geen toegang tot Extranet-DAS.</p>"),
    ),
    _profile_help(
        "extranet-esf-rapportering",
        "Extranet-ESF-rapportering: wat is het en hoe krijg je toegang?",
        "De informatie op Extranet-ESF-rapportering staat nu volledig op publieke pagina's.",
        (P, "<p>Gebruikers van Extranet-ESF-rapportering kunnen de toegang tot Extranet gebruiken om naar toepassingen te gaan en pagina's te volgen.</p>"),
        (H, "Toegang krijgen"),
        (P, "<p>Als je toegang hebt tot ESF-rapportering, heb je automatisch toegang tot Extranet-ESF-rapportering. Je gebruikt dezelfde login.</p>"),
    ),
    _profile_help(
        "extranet-loopbaanbegeleiding",
        "Extranet-Loopbaanbegeleiding: wat is het en hoe krijg je toegang?",
        "De informatie voor gemandateerde loopbaancentra staat nu volledig op publieke pagina's.",
        (H, "Heb je persoonlijk al toegang tot Registreer loopbaancheques?"),
        (P, "<p>Dan heb je automatisch toegang tot Extranet-Loopbaanbegeleiding. Je gebruikt dezelfde login.</p>"),
        (H, "Ben je administrator en registreert jouw organisatie in Loopbaancheques?"),
        (P, "<p>Dan kan je in ‘Toegangsbeheer’ voor medewerkers die géén loopbaancheques registreren een profiel aanmaken en toegangsrechten Extranet-Loopbaanbegeleiding aanvragen.</p>"),
    ),
    _profile_help(
        "extranet-vertrouwelijk-luik",
        "Extranet-Vertrouwelijk luik: wat is het en hoe krijg je toegang?",
        "De informatie op Extranet-Vertrouwelijk luik is voor partners die de toepassing ‘Enkel Vertrouwelijk dossier opzoeken’ gebruiken.",
        (H, "Toegang"),
        (P, "<p>Als je toegang hebt tot ‘Enkel Vertrouwelijk luik’ voor casemanagers zorg, artsen, bedrijfsartsen, adviserend artsen en psychologen, heb je automatisch toegang tot Extranet-Vertrouwelijk luik.</p>"),
    ),
    _profile_help(
        "extranet-uitbetalingsinstellingen",
        "Extranet voor Uitbetalingsinstellingen: wat is het en hoe krijg je toegang?",
        "De informatie op Extranet voor Uitbetalingsinstellingen is alleen bestemd voor medewerkers van de uitbetalingsinstellingen.",
        (H, "Toegang krijgen"),
        (P, "<p>Je kan alleen toegang krijgen als je bij een uitbetalingsinstelling werkt, je de informatie nodig hebt voor je job, jouw organisatie toegang heeft tot Extranet voor Uitbetalingsinstellingen én VDAB jouw toegang goedkeurt.</p>"),
        (P, "<p>Je administrator vraagt de toegang voor je aan in ‘Toegangsbeheer’. Keurt VDAB ze goed, dan krijg je de mail ‘No reply: Je aangevraagde toegangsrechten werden toegekend.’ en vervolgens ‘VDAB: Je toegang tot Extranet’ met je login en een link naar Extranet.</p>"),
        (H, "Is jouw organisatie nog niet aangesloten?"),
        (P, "<p>Elke administrator van jouw vestiging (maximum 2 per vestiging) vult het Formulier Gebruiksvoorwaarden Extranet Uitbetalingsinstellingen in en ondertekent het, bij voorkeur met eID. VDAB checkt de formulieren; als alles in orde is, heeft jouw vestiging toegang.</p>"),
    ),
]

PROFILE_HELP_SLUGS = {
    "mlp": "extranet-mlp",
    "das": "extranet-das",
    "esf": "extranet-esf-rapportering",
    "loopbaan": "extranet-loopbaanbegeleiding",
    "vertrouwelijk": "extranet-vertrouwelijk-luik",
    "uitbetaling": "extranet-uitbetalingsinstellingen",
}


def _secured(code, slug, title, topic):
    return {
        "slug": slug,
        "title": title,
        "intro": f"Beveiligde informatie voor partners met de toegang {title.split(':')[0]}.",
        "restriction": "profiles",
        "profiles": [code],
        "body": [(P, f"<p>Op deze pagina's vind je richtlijnen, handleidingen en nieuws over {topic}.</p>")],
        "children": [
            {
                "slug": "richtlijnen",
                "title": f"Richtlijnen {topic}",
                "intro": f"De geldende richtlijnen voor {topic}.",
                "body": [(P, f"<p>Deze richtlijnen over {topic} gelden voor alle vestigingen. Lees ze voor je een dossier opstart.</p>")],
                "children": [
                    {
                        "slug": "handleiding",
                        "title": f"Handleiding {topic}",
                        "intro": f"Stap voor stap aan de slag met {topic}.",
                        "body": [(P, f"<p>Deze handleiding beschrijft elke stap in de toepassing voor {topic}.</p>")],
                    }
                ],
            },
            {
                "slug": "nieuws",
                "title": f"Nieuws {topic}",
                "intro": f"Recente wijzigingen voor {topic}.",
                "body": [(P, f"<p>Hier publiceert VDAB wijzigingen en aankondigingen over {topic}.</p>")],
            },
        ],
    }


SECURED_SECTIONS = [
    _secured("mlp", "mlp", "Extranet-MLP: informatie voor partners", "Mijn Loopbaan voor Partners"),
    _secured("das", "das", "Extranet-DAS: informatie voor DAS-gebruikers", "Digitaal Archief Samenwerking"),
    _secured("esf", "esf-rapportering", "Extranet-ESF-rapportering: informatie", "ESF-rapportering"),
    _secured("loopbaan", "loopbaanbegeleiding", "Extranet-Loopbaanbegeleiding: informatie", "loopbaanbegeleiding"),
    _secured("vertrouwelijk", "vertrouwelijk-luik", "Extranet-Vertrouwelijk luik: informatie", "het vertrouwelijk luik"),
    _secured("uitbetaling", "uitbetalingsinstellingen", "Extranet voor Uitbetalingsinstellingen: informatie", "uitbetalingsinstellingen"),
]
SECURED_SECTIONS[1]["children"].append(
    {
        "slug": "over-das",
        "title": "Over DAS: publieke informatie",
        "intro": "Wat Digitaal Archief Samenwerking is, voor iedereen leesbaar.",
        "restriction": "public",
        "body": [(P, "<p>DAS is het digitale archief waarin VDAB en zijn partners dossiers delen. Deze pagina is publiek, ook al staat ze in een beveiligde rubriek.</p>")],
    }
)

# {page slug: (title, file name, profiles that may download it; none: anyone)}
DOCUMENTS = {
    "extranet-uitbetalingsinstellingen": (
        "Formulier Gebruiksvoorwaarden Extranet Uitbetalingsinstellingen (16 nov 21)",
        "formulier-gebruiksvoorwaarden-uitbetalingsinstellingen.pdf",
        [],
    ),
    "uitbetalingsinstellingen": (
        "Betaalkalender uitbetalingsinstellingen 2027",
        "betaalkalender-uitbetalingsinstellingen-2027.pdf",
        ["uitbetaling"],
    ),
}

PUBLIC_PAGES = [
    {
        "slug": "alles-over-extranet",
        "title": "Alles over Extranet voor partners",
        "intro": "Op Extranet vind je alle informatie en toepassingen die je als partner nodig hebt voor jouw samenwerking of nieuwe samenwerking met VDAB. Extranet heeft publieke pagina's en beveiligde pagina's.",
        "body": [
            (H, "De homepagina"),
            (P, "<p>Als je inlogt op de homepagina van Extranet kan je snel naar jouw toepassingen: VDAB voor partners/Mijn VDAB, Mijn Loopbaan voor Partners (MLP), Toegangsbeheer, DAS, Registreer loopbaancheques, Vertrouwelijk dossier opzoeken …</p>"),
            (H, "Publieke en beveiligde pagina’s"),
            (P, "<ul><li>publieke pagina’s: informatie die je kan lezen zonder dat je moet inloggen;</li><li>beveiligde pagina's: informatie voor jouw specifieke profiel die je enkel kan vinden en lezen na inloggen.</li></ul>"),
            (H, "Zoeken op Extranet"),
            (P, "<p>Als je toegang hebt tot Extranet voor partners en je logt in, vind je afhankelijk van jouw profiel meer zoekresultaten.</p>"),
            (H, "Mis geen enkele voor jou belangrijke wijziging: volg pagina's!"),
            (P, "<p>Als je toegang hebt tot Extranet voor partners en je logt in, kan je publieke en beveiligde pagina's volgen en zo per mail updates ontvangen.</p>"),
        ],
    },
    {
        "slug": "hoe-krijg-je-toegang",
        "title": "Hoe krijg je toegang tot Extranet?",
        "intro": "Jouw profiel bepaalt jouw toegang tot Extranet voor partners en hangt samen met andere VDAB-toegangen van jou of jouw organisatie.",
        "body": [
            (H, "Waarom inloggen?"),
            (P, "<p>Als je minstens 1 toegang hebt tot Extranet en je logt in:</p><ul><li>ga je snel naar jouw toepassingen via de homepagina van Extranet;</li><li>lees en vind je alle publieke en beveiligde pagina’s voor jouw profiel;</li><li>kan je pagina’s volgen en kiezen om een mail te ontvangen wanneer die pagina’s wijzigen.</li></ul>"),
            (H, "Let op"),
            (P, "<p>Inloggen op Extranet betekent niet dat je toegang hebt tot álle beveiligde pagina's: je hebt alleen toegang tot de beveiligde pagina’s die bij jouw profiel horen. Heb je enkel een login om vacatures te plaatsen, dan kan je inloggen, maar geen beveiligde pagina’s lezen of pagina’s volgen.</p>"),
        ],
        "children": HELP_PAGES,
    },
    {
        "slug": "mails-met-updates",
        "title": "Hoe ontvang je mails met updates van pagina's die je volgt?",
        "intro": "Mis geen enkele update van Extranet die voor jou belangrijk is: stel in om dagelijks of wekelijks mails te ontvangen met updates van pagina’s die je volgt.",
        "body": [
            (H, "1. Log in op Extranet voor partners"),
            (P, "<p>Om pagina's te kunnen volgen, moet je eerst inloggen, rechtsboven in de donkerblauwe balk bij Inloggen. Je bent ingelogd als je naam in de blauwe balk verschijnt.</p>"),
            (H, "2. Stel in je profiel in hoe vaak je mails wil ontvangen"),
            (P, "<p>In je profielpagina verander je bij ‘Mailing’ ‘Nooit’ in ‘Dagelijks’ of ‘Wekelijks’. Vergeet niet op te slaan. Dagelijks krijg je elke ochtend een mail, wekelijks op maandagochtend.</p>"),
            (H, "3. Duid aan welke pagina’s je wil volgen"),
            (P, "<p>Klik op de pagina rechtsbovenaan op ‘Volg deze pagina’ bij het symbool van het oogje. Wil je een pagina niet meer volgen, klik dan op ‘Volg deze pagina niet meer’.</p>"),
        ],
    },
    {
        "slug": "gebruiksvoorwaarden",
        "title": "Gebruiksvoorwaarden",
        "intro": "Als je Extranet voor partners gebruikt, ga je akkoord met volgende gebruiksvoorwaarden.",
        "body": [
            (P, "<ul><li>Je leest enkel de pagina’s die je nodig hebt om je wettelijke opdracht of je opdracht voor VDAB uit te voeren.</li><li>Je mag deze informatie enkel binnen je eigen organisatie gebruiken, in jouw job als partner van VDAB.</li><li>Je mag de informatie niet overmaken (per mail…) aan je klanten of andere personen.</li><li>Collega’s die de informatie nodig hebben voor hun job kunnen zelf toegang krijgen tot Extranet voor partners.</li></ul>"),
        ],
    },
    {
        "slug": "disclaimer",
        "title": "Disclaimer",
        "intro": "VDAB stelt de informatie op Extranet voor partners met de grootste zorg samen.",
        "body": [
            (P, "<p>Toch kan VDAB niet garanderen dat de informatie altijd volledig, juist en actueel is. De informatie is bestemd voor partners van VDAB in het kader van hun samenwerking en mag niet verder verspreid worden. VDAB is niet aansprakelijk voor schade die voortvloeit uit het gebruik van deze informatie.</p>"),
        ],
    },
    {
        "slug": "toegankelijkheid",
        "title": "Toegankelijkheidsverklaring",
        "intro": "VDAB wil dat iedereen Extranet voor partners kan gebruiken, ook mensen met een beperking.",
        "body": [
            (H, "Nalevingsstatus"),
            (P, "<p>Extranet voor partners voldoet gedeeltelijk aan de Web Content Accessibility Guidelines (WCAG) 2.1 op niveau AA, de norm van de Europese richtlijn (EU) 2016/2102 over de toegankelijkheid van websites van overheidsinstanties.</p>"),
            (H, "Wat nog niet toegankelijk is"),
            (P, "<p>Niet alle documenten om te downloaden, zoals het Formulier Gebruiksvoorwaarden Extranet Uitbetalingsinstellingen, zijn al toegankelijke pdf’s. Heb je een document in een andere vorm nodig, vraag het dan via het feedbackformulier.</p>"),
            (H, "Hoe we dit controleren"),
            (P, "<p>Deze verklaring is opgesteld op 5 december 2026 op basis van een zelfbeoordeling. Bij elke wijziging van de website controleren axe-core en de Nu HTML Checker automatisch alle soorten pagina’s, ook op een smal scherm en ingezoomd, en doorloopt een test de website enkel met het toetsenbord.</p>"),
            (H, "Een drempel melden"),
            (P, "<p>Loop je op Extranet tegen een drempel aan? Meld het ons via het <a href=\"/feedback/\">feedbackformulier</a>, dat je onderaan elke pagina vindt. We bekijken elke melding en zoeken met jou naar een oplossing.</p>"),
            (H, "Klacht"),
            (P, "<p>Ben je niet tevreden met ons antwoord, dan kan je een klacht indienen bij de <a href=\"https://www.vlaamseombudsdienst.be\">Vlaamse Ombudsdienst</a>.</p>"),
        ],
    },
]


# (name, registers_in_mlp, is_uitbetalingsinstelling, registers_career_cheques, vestiging, uitbetaling_access)
ORGANISATIONS = {
    "antwerpen": ("Loopbaanpunt Antwerpen vzw", True, False, True, "Antwerpen Centrum", False),
    "gent": ("Samenwerkingsverband Werk Gent", False, False, False, "Gent Zuid", False),
    "leuven": ("Medisch Centrum Leuven", False, False, False, "Leuven", False),
    "hulpkas": ("Hulpkas Uitbetaling Brussel", False, True, False, "Brussel Noord", True),
    "kaai": ("Bouwbedrijf De Kaai nv", False, False, False, "Oostende", False),
}



def vestiging_identifier(key):
    """The branch's number in the agency's systems, as the identity provider sends it."""
    return f"VES-{key.upper()}"


# username: (first, last, organisation, rights, training, auditor, administrator, granted profiles)
PARTNERS = {
    "mlp.partner": ("Marie", "Peeters", "antwerpen", ["mijn-vdab", "mlp"], True, False, False, []),
    "mlp.zonderopleiding": ("Jonas", "Janssens", "antwerpen", ["mijn-vdab", "mlp"], False, False, False, []),
    "das.partner": ("Sofie", "Maes", "gent", ["mijn-vdab", "das"], False, False, False, []),
    "das.auditor": ("Pieter", "Jacobs", "gent", ["mijn-vdab", "das"], False, True, False, []),
    "esf.partner": ("Emma", "Mertens", "gent", ["mijn-vdab", "esf"], False, False, False, []),
    "loopbaan.partner": ("Lucas", "Willems", "antwerpen", ["mijn-vdab", "loopbaancheques"], False, False, False, []),
    "vertrouwelijk.arts": ("An", "Claes", "leuven", ["mijn-vdab", "vertrouwelijk"], False, False, False, []),
    "uitbetaling.medewerker": ("Louise", "Goossens", "hulpkas", ["mijn-vdab"], False, False, False, ["uitbetaling"]),
    "uitbetaling.admin": ("Tom", "Wouters", "hulpkas", ["mijn-vdab"], False, False, True, []),
    "multi.partner": ("Noah", "De Smet", "antwerpen", ["mijn-vdab", "mlp", "das"], True, False, False, []),
    "werkgever": ("Lotte", "Dubois", "kaai", ["vacatures"], False, False, False, []),
}

# username: (first, last, groups; none for the superuser)
AGENCY = {
    "redacteur": ("Ruben", "Redacteur", ["Editors", "Moderators"]),
    "toegang.vdab": ("Tine", "Toegang", ["Toegangsbeheerders VDAB"]),
    "admin": ("Ad", "Min", []),
}

# (title, description, right code or None, administrators only, url)
APP_LINKS = [
    ("VDAB voor partners/Mijn VDAB", "Jouw dossiers en gegevens als partner", "mijn-vdab", False, "https://www.vdab.be/partners"),
    ("Mijn Loopbaan voor Partners (MLP)", "Registreer de begeleiding van je klanten", "mlp", False, "https://www.vdab.be/mlp"),
    ("Toegangsbeheer", "Beheer de gebruikers en toegangen van je vestiging", None, True, "/toegangsbeheer/"),
    ("DAS", "Digitaal Archief Samenwerking", "das", False, "https://www.vdab.be/das"),
    ("Registreer loopbaancheques", "Registreer de loopbaancheques van je klanten", "loopbaancheques", False, "https://www.vdab.be/loopbaancheques"),
    ("Vertrouwelijk dossier opzoeken", "Enkel Vertrouwelijk luik", "vertrouwelijk", False, "https://www.vdab.be/vertrouwelijk"),
    ("ESF-rapportering", "Rapporteer over je ESF-project", "esf", False, "https://www.vdab.be/esf"),
    ("Vacatures plaatsen", "Plaats en beheer je vacatures", "vacatures", False, "https://www.vdab.be/vacatures"),
]
