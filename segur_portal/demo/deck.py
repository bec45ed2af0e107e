"""The content of the slide deck of the first sharing session (25/09/2023),
as the portal's demo data. Source: the deck's text,
``arbitrages-vague2-session1-2023-09-25.txt``, kept with the design notes
(DESIGN.md) outside this repository; this module is its transcription.

Read as the design notes say ("Reading the deck"):

- "Tous" is the SONS of this concertation (DPI, PFI, RIS, DB, LGC); SGL is in
  no topic's scope. A requirement's perimeter is the one on its slide.
- "Arbitrage N/A" with "Instruction en vue de la simplification" is the
  decision "under instruction"; "Exigences conservées" for IE.31 and IE.32
  is one decision per requirement with the same comment; "Mise à jour de"
  is the decision "modified" with the new statement as a new version.
- The SONS-framework decision (no MES-feeding threshold for eligibility)
  belongs to the administrative topic on eligibility.
- Obvious typos are corrected: "Worklow" → "Workflow", "remontés pas les
  éditeurs" → "par", "La politiques … de l'utilisateurs" → "La politique …
  de l'utilisateur", "icône tournant" → "tournante", "Bonus«" → "Bonus".
- The former statements of SC.DMP/UX.10 and SC.DMP/ALI/PROG.02 are not on
  the slides: they are rebuilt from each decision's comment (UX.10 was
  limited to the DMP — "pas que DMP"; PROG.02 had no master/slave
  paragraph) and labelled as such.
- The sessions' hours are the deck's (14h for 12/10 and 26/10); where the
  deck gives a date only, the event is all-day.
"""

from __future__ import annotations

from datetime import date, datetime, time

ALL = ("DPI", "PFI", "RIS", "DB", "LGC")  # "Tous"
SLIDE_PERIMETER = ("LGC", "RIS", "DPI", "PFI")

# (number, slug, domain code, title, kind, scope)
TOPICS = [
    (
        1,
        "docs-versions-n1-n3",
        "DOCS",
        "Gestion des versions N1 et N3 d'un même document",
        "technical",
        ALL,
    ),
    (
        2,
        "mes-dmp-circuit-annonce",
        "MES/DMP",
        "Circuit d'alimentation MES dans les cas d'annonce",
        "technical",
        ("PFI", "RIS", "LGC"),
    ),
    (
        3,
        "mss-workflow-ko",
        "MSS",
        "Workflow MSS gestion des KO d'intégration automatique",
        "technical",
        ("DPI", "RIS"),
    ),
    (4, "ssi-antivirus", "SSI", "Antivirus", "technical", ALL),
    (5, "ssi-test-intrusion", "SSI", "Test d'intrusion", "technical", ALL),
    (6, "ssi-ie-api-psconnectees", "SSI/IE", "API PSConnectées", "technical", ALL),
    (
        7,
        "ssi-ie-gestion-comptes",
        "SSI/IE",
        "Exigences gestions des comptes et des utilisateurs",
        "technical",
        ALL,
    ),
    (
        8,
        "mes-dmp-nouveau-document",
        "MES/DMP",
        "Informations sur la présence d'un nouveau document dans le DMP / MES",
        "technical",
        ("DPI", "RIS", "LGC"),
    ),
    (
        9,
        "ux-non-blocage-interface",
        "UX",
        "Non blocage de l'interface graphique de l'utilisateur",
        "technical",
        ALL,
    ),
    (10, "ins-indicateurs-insq", "INS", "Indicateurs INSq", "technical", ("RIS", "LGC")),
    (
        11,
        "amelioration-exigences-scenarios",
        "",
        "Amélioration / reformulation / précisions d'exigences et/ou scénarios",
        "technical",
        ALL,
    ),
    (12, "mes-alimentation-lgc", "MES", "Alimentation systématique LGC", "lgc", ("LGC",)),
    (
        13,
        "appel-contextuel-db-lgc",
        "",
        "Appel contextuel DB pour LGC en CDS/MSP avec activité imagerie",
        "lgc",
        ("LGC",),
    ),
    (
        14,
        "autres-thematiques-lgc",
        "",
        "Autres thématiques potentielles périmètre LGC",
        "lgc",
        ("LGC",),
    ),
    (None, "calendrier-vague-2", "", "Calendrier vague 2", "administrative", ALL),
    (
        None,
        "dispositif-bonus",
        "",
        "Dispositif \"Bonus\" en cas d'atteinte d'un certain niveau d'usage",
        "administrative",
        ALL,
    ),
    (None, "paiement-du-solde", "", "Conditions de paiement du solde", "administrative", ALL),
    (
        None,
        "prix-et-baremes",
        "",
        "Prix définitifs et barèmes de chaque SONS",
        "administrative",
        ALL,
    ),
    (
        None,
        "conditions-eligibilite",
        "",
        'Conditions d\'éligibilité aux prestations "Vague 2" et "Vague 1 + Vague 2"',
        "administrative",
        ALL,
    ),
    (
        None,
        "parcours-referencement",
        "",
        "Parcours éditeurs pour le référencement des solutions",
        "journey",
        ALL,
    ),
    (
        None,
        "parcours-financement",
        "",
        "Parcours éditeurs pour le financement des prestations",
        "journey",
        ALL,
    ),
    (
        None,
        "securisation-qualite-logiciels",
        "",
        "Mesures de sécurisation de la qualité des logiciels déployés",
        "journey",
        ALL,
    ),
]

GEN08_STATEMENT = "Dans le cas où le système permet l'import d'un fichier par un utilisateur (administrateurs compris) de manière automatisée ou manuelle à partir d'un poste client, ALORS le système DOIT pouvoir interagir avec un antivirus (implémentation d'un antivirus, analyse sur un dépôt de fichiers, vérification des fichiers importés et entreposés sur un serveur, contrôle d'utilisation d'un antivirus sur le poste client, antivirus intégré à un pare-feu nouvelle génération, etc.). Les mécanismes de sécurité permettant l'interaction du système avec la solution antivirale DOIVENT être détaillés dans la documentation produit (répertoires où les fichiers sont scannés, dossier de mise en quarantaine, etc.). Tout fichier reçu au niveau de tout composant permettant l'import (par téléversement ou autre) de fichier DOIT être soumis à une analyse antivirale.\n\nDans le cas des solutions hébergées par l'éditeur, celui-ci DOIT proposer une fonctionnalité d'antivirus au système ET en assurer la maintenance (signature, version du logiciel, etc.). L'éditeur DOIT indiquer à son client si son offre bénéficie de cette fonctionnalité d'antivirus ; dans la négative, il DOIT communiquer le coût associé à l'option permettant de bénéficier de cette fonctionnalité d'antivirus. Dans le cas où l'éditeur réalise un chiffrement de bout en bout et ne dispose pas des éléments nécessaires pour déchiffrer un document, l'absence d'un contrôle antivirus est tolérée."

GEN08_COMMENT = "Équipement de MES + opérateurs MSSanté d'un antivirus ⇒ **Faible risque résiduel** conséquent des échanges de données Ségur.\n\nUn **marché des antivirus indépendant** des logiciels en santé ⇒ Son achat et sa mise en œuvre relèvent majoritairement de la responsabilité des acteurs de l'offre de soins.\n\nInstruction en cours pour renforcer la transparence auprès des clients sur la présence d'un antivirus dans la solution."

IE30_STATEMENT = "Le système DOIT être en mesure de rechercher, à la création d'un compte puis a minima tous les deux ans, l'identifiant RPPS du PS lorsque la profession est couverte par ce répertoire."

IE30_COMMENT = "La recherche ne peut être bloquante pour la création de compte (cf points remontés par les éditeurs : internes, remplaçants, jeunes médecins ...). La création comme la revue peuvent se faire manuellement (usage du site de l'annuaire santé, extraction des comptes)."

IE31_STATEMENT = "Si le système réalise une association entre l'identité du professionnel et ses coordonnées (par opposition à la situation où le système récupère cette association d'un autre système en amont) ET SI ces informations sont utilisées dans les mécanismes d'authentification ou de récupération de compte, ALORS le système DOIT vérifier, à la création d'un compte et à chaque modification, l'adresse de messagerie ou le numéro de téléphone portable du professionnel.\n\nCette vérification peut se faire par l'envoi d'un code ou d'un lien d'activation."

IE32_STATEMENT = "Si le professionnel peut modifier (directement sur le système ou par un administrateur du système à la demande du professionnel) ses attributs d'identité, son adresse de messagerie ou son numéro de téléphone ET SI ces informations sont utilisées dans les mécanismes d'authentification ou de récupération de compte, ALORS le système DOIT :\n\n- vérifier les informations soumises par une méthode aussi fiable que lors de l'enregistrement initial\n- envoyer, après modification, une notification au professionnel en utilisant l'ancienne coordonnée et une éventuelle autre coordonnée qui aurait été renseignée."

IE31_32_COMMENT = "La politique de sécurité s'appliquant à l'usage des coordonnées de l'utilisateur doit être homogène pour la création de compte, la récupération de compte et la modification du compte."

IE33_STATEMENT = "Le système DOIT gérer a minima les identifiants et attributs suivants d'un PS :\n\n- Numéro RPPS (si existant)\n- Identifiant privé (si existant), dont l'unicité doit être assurée\n- Nom d'exercice ;\n- Prénom ;\n- Profession ou une mention appropriée à la situation de la personne.\n\nIl est préconisé que les attributs incluent également les identifiants de structures associés aux professionnels concernés (identifiant géographique par exemple)."

IE33_COMMENT = "L'enregistrement des professionnels de santé dans le système doit respecter un niveau minimal d'information. Impact faible pour les logiciels."

IE34_STATEMENT = "SI le système propose son propre **dispositif d'authentification** (clé FIDO, TOTP, etc.), ALORS le système DOIT permettre d'**imposer aux professionnels le renouvellement ou la mise à jour de ce dispositif** (par exemple renouveler le secret cryptographique) à une fréquence paramétrable selon le type de dispositif d'authentification."

IE35_STATEMENT = "SI le système propose son **propre dispositif d'authentification** (clé FIDO, TOTP, etc.), ALORS le système DOIT permettre la **désactivation du dispositif**, en cas de perte ou de vol de celui-ci, soit directement par le professionnel lui-même, soit par un administrateur contacté par le professionnel."

IE34_35_COMMENT = "Instruction en vue de la simplification de cette exigence : restreinte aux usages de Login / MDP et à la gestion admin."

UX10_STATEMENT = "Le système DOIT **rester pleinement fonctionnel** pour l'utilisateur pendant les **requêtes aux Services numériques** en santé sans bloquer l'interface graphique de l'utilisateur.\n\nPar Services numériques en santé on entend ici **l'ensemble des services numériques exposés au système et requêtés** en vue d'une exploitation par l'utilisateur : DMP, INSi, Ordonnance Numérique, Annuaire Santé, Pro Santé Connect, MSSanté, ApCV."

UX10_PREREQUISITES = "- Patient test disposant d'un DMP\n- Utilisateur identifié via Pro Santé Connect\n- **Interface réseau bridée avec une latence de 3 secondes**"

UX10_STEPS = "Vérifier que l'utilisateur peut continuer à interagir avec l'interface pendant les transactions aux Services numériques lors d'une consultation type.\n\nA chaque étape nécessitant une requête vers un service numérique en santé, l'interface graphique :\n\n- doit permettre à l'utilisateur de comprendre qu'une requête est en cours (ie sablier, icône tournante)\n- ne doit pas être bloquée par la requête en cours (ie l'utilisateur doit pouvoir continuer d'utiliser l'interface graphique du logiciel sans être bloqué)"

UX10_COMMENT = "Extension de l'exigence à l'ensemble des services numériques (pas que DMP)"

PROG02_STATEMENT = "Le système DOIT programmer l'envoi systématique et automatique des TYPE_DE_DOCUMENT au DMP conformément au volet Structuration Minimale du CI-SIS lorsqu'ils sont validés par l'utilisateur et sans nécessiter une action complémentaire de sa part\n\nPour traiter les cas où la CPS du médecin est systématiquement associée au poste du secrétariat, le système DOIT permettre la configuration d'un poste \"maître\" (connecté à la CPS) et d'un poste \"esclave\" (non connecté à la CPS). Un poste configuré en \"esclave\" DOIT programmer l'ordre d'envoi sur le poste maître"

PROG02_PREREQUISITES = '- Un « TYPE DE DOCUMENT » a été généré mais pas encore validé par l\'utilisateur.\n- Usage à 2 postes : 1 poste "maître" avec CPS et 1 poste "esclave" sans CPS où l\'utilisateur médecin est connecté en Login/MDP'

PROG02_STEPS = "Vérifier que le système programme l'envoi systématique et automatique des « TYPE DE DOCUMENT » au DMP une fois validés par l'utilisateur :\n\n1. Montrer le respect du prérequis du scénario : un « TYPE DE DOCUMENT » a été généré mais pas encore validé par l'utilisateur.\n2. Valider le document sur le poste esclave\n3. Montrer la trace système du contenu des ordres d'envois sur le poste maître, après validation du document"

PROG02_PROOF = "idem SC.DMP/ALI/PROG.02.01.01"

PROG02_COMMENT = "Mise à jour de l'exigence pour traiter les cas de CPS systématiquement présente dans le poste du secrétariat"

ELIGIBILITY_COMMENT = "Suppression de la condition envisagée dans la version RC d'atteinte d'un certain seuil d'alimentation MES pour l'éligibilité d'un client déjà vague 1 à la prestation vague 2"

UX10_FORMER_STATEMENT = "Le système DOIT **rester pleinement fonctionnel** pour l'utilisateur pendant les **requêtes au DMP** sans bloquer l'interface graphique de l'utilisateur."
PROG02_FORMER_STATEMENT = PROG02_STATEMENT.split("\n\n")[0]
DECK_LABEL = "RC juillet 2023"
UPDATED_LABEL = "Mise à jour — 1er temps de partage"
FORMER_NOTE = (
    "Énoncé reconstitué à partir du commentaire de l'arbitrage : la présentation "
    "du 25/09/2023 ne reproduit que l'énoncé mis à jour."
)

# reference → (topic number, statement, perimeter, scenario, versions)
# Each requirement's statement is the same in every SONS of its perimeter.
REQUIREMENTS = {
    "SC.SSI/GEN.08": {
        "topic": 4,
        "domain": "SSI",
        "statement": GEN08_STATEMENT,
        "perimeter": SLIDE_PERIMETER,
    },
    "SC.SSI/IE.30": {
        "topic": 7,
        "domain": "SSI",
        "statement": IE30_STATEMENT,
        "perimeter": SLIDE_PERIMETER,
    },
    "SC.SSI/IE.31": {
        "topic": 7,
        "domain": "SSI",
        "statement": IE31_STATEMENT,
        "perimeter": SLIDE_PERIMETER,
    },
    "SC.SSI/IE.32": {
        "topic": 7,
        "domain": "SSI",
        "statement": IE32_STATEMENT,
        "perimeter": SLIDE_PERIMETER,
    },
    "SC.SSI/IE.33": {
        "topic": 7,
        "domain": "SSI",
        "statement": IE33_STATEMENT,
        "perimeter": SLIDE_PERIMETER,
    },
    "SC.SSI/IE.34": {
        "topic": 7,
        "domain": "SSI",
        "statement": IE34_STATEMENT,
        "perimeter": SLIDE_PERIMETER,
    },
    "SC.SSI/IE.35": {
        "topic": 7,
        "domain": "SSI",
        "statement": IE35_STATEMENT,
        "perimeter": SLIDE_PERIMETER,
    },
    "SC.DMP/UX.10": {
        "topic": 9,
        "domain": "DMP",
        "statement": UX10_STATEMENT,
        "perimeter": SLIDE_PERIMETER,
        "prerequisites": UX10_PREREQUISITES,
        "steps": UX10_STEPS,
        "former_statement": UX10_FORMER_STATEMENT,
    },
    "SC.DMP/ALI/PROG.02": {
        "topic": 12,
        "domain": "DMP",
        "statement": PROG02_STATEMENT,
        "perimeter": ("LGC",),
        "prerequisites": PROG02_PREREQUISITES,
        "steps": PROG02_STEPS,
        "proof": PROG02_PROOF,
        "former_statement": PROG02_FORMER_STATEMENT,
    },
}

# Decisions announced at the 25/09 session: (reference, decision, comment).
DECISIONS = [
    ("SC.SSI/GEN.08", "removed", GEN08_COMMENT),
    ("SC.SSI/IE.30", "removed", IE30_COMMENT),
    ("SC.SSI/IE.31", "kept", IE31_32_COMMENT),
    ("SC.SSI/IE.32", "kept", IE31_32_COMMENT),
    ("SC.SSI/IE.33", "kept", IE33_COMMENT),
    ("SC.SSI/IE.34", "under_instruction", IE34_35_COMMENT),
    ("SC.SSI/IE.35", "under_instruction", IE34_35_COMMENT),
    ("SC.DMP/UX.10", "modified", UX10_COMMENT),
    ("SC.DMP/ALI/PROG.02", "modified", PROG02_COMMENT),
]
# The decision of the SONS-framework section, on a topic: (topic slug, decision, comment).
TOPIC_DECISIONS = [("conditions-eligibilite", "removed", ELIGIBILITY_COMMENT)]

# (code, label, the SONS whose editors a workshop for that audience concerns):
# ville is the GP practice software, hôpital the hospital's, radio the imaging's.
AUDIENCES = [
    ("ville", "Ville", ("LGC",)),
    ("hopital", "Hôpital", ("DPI", "PFI")),
    ("radio", "Radio", ("RIS", "DB")),
]

# slug → event. "agenda" lists topic numbers or slugs, or ("label", text).
# Times are Europe/Paris; an event without a time is all-day.
EVENTS = {
    "temps-de-partage-2023-09-25": {
        "kind": "sharing_session",
        "title": "1er temps de partage éditeur",
        "description": "Derniers arbitrages vague 2 sanitaire — session de présentation 1/3",
        "day": date(2023, 9, 25),
        "agenda": [4, 7, 9, 12],
    },
    "temps-de-partage-2023-10-12": {
        "kind": "sharing_session",
        "title": "2ème temps de partage éditeur",
        "description": "Derniers arbitrages vague 2 sanitaire — session de présentation 2/3",
        "day": date(2023, 10, 12),
        "time": time(14, 0),
        "agenda": [1, 2, 3, 10],
    },
    "temps-de-partage-2023-10-26": {
        "kind": "sharing_session",
        "title": "3ème temps de partage éditeur",
        "description": "Derniers arbitrages vague 2 sanitaire — session de présentation 3/3",
        "day": date(2023, 10, 26),
        "time": time(14, 0),
        "agenda": [
            6,
            5,
            8,
            ("label", "Présentation parcours éditeurs (probablement dans une séance dédiée)"),
        ],
    },
    "atelier-architecture-2023-09-22": {
        "kind": "workshop",
        "title": "Atelier architecture",
        "day": date(2023, 9, 22),
        "agenda": [6],
    },
    "atelier-n1-n3-2023-10-03": {
        "kind": "workshop",
        "title": "Atelier N1/N3",
        "day": date(2023, 10, 3),
        "agenda": [1],
    },
    "atelier-architecture-2023-10-13": {
        "kind": "workshop",
        "title": "Atelier architecture",
        "description": "Atelier API PSC",
        "day": date(2023, 10, 13),
        "agenda": [6],
    },
    "atelier-tests-intrusion-2023-10-18": {
        "kind": "workshop",
        "title": "Atelier tests d'intrusion hôpital et radio",
        "description": "En cours de confirmation",
        "day": date(2023, 10, 18),
        "status": "to_confirm",
        "audiences": ["hopital", "radio"],
        "agenda": [5],
    },
    "atelier-architecture-2023-10-20": {
        "kind": "workshop",
        "title": "Atelier architecture",
        "description": "Atelier API PSC",
        "day": date(2023, 10, 20),
        "agenda": [6],
    },
    "atelier-ville-tests-intrusion": {
        "kind": "workshop",
        "title": "Atelier ville tests d'intrusion",
        "status": "to_schedule",
        "target_week": date(2023, 9, 18),
        "audiences": ["ville"],
        "agenda": [5],
    },
    "atelier-lgc-autres-thematiques": {
        "kind": "workshop",
        "title": "Atelier LGC",
        "description": "En cours de programmation : ateliers LGC",
        "status": "to_schedule",
        "target_week": date(2023, 9, 18),
        "audiences": ["ville"],
        "agenda": [14],
    },
    "atelier-parcours-editeurs": {
        "kind": "workshop",
        "title": "Atelier parcours éditeurs",
        "status": "to_schedule",
        "target_week": date(2023, 9, 18),
        "agenda": [
            "parcours-referencement",
            "parcours-financement",
            "securisation-qualite-logiciels",
        ],
    },
    "copil-federations-2023-10-06": {
        "kind": "steering_committee",
        "title": "COPIL fédérations d'éditeurs",
        "day": date(2023, 10, 6),
        "agenda": [],
    },
    "copil-federations-2023-10-20": {
        "kind": "steering_committee",
        "title": "COPIL fédérations d'éditeurs",
        "day": date(2023, 10, 20),
        "agenda": [],
    },
    "objectif-publication-vague-2": {
        "kind": "milestone",
        "title": "Objectif de publication des premiers dispositifs vague 2",
        "description": "Publication des premiers dispositifs à horizon fin novembre",
        "day": date(2023, 11, 30),
        "status": "to_confirm",
        "agenda": [],
    },
}
SESSION_OF_THE_DECK = "temps-de-partage-2023-09-25"
PUBLICATION_TARGET = "objectif-publication-vague-2"

# The release-candidate documents published on 21 July 2023 (REM, DSR, AF per SONS).
RC_PUBLISHED_ON = date(2023, 7, 21)
RC_URL = "https://esante.gouv.fr/segur/vague2"
DOCUMENTS = [
    ("MDV-LGC-Va2-RC-Juillet 2023", "LGC"),
    ("IMG-RIS-Va2-RC-Juillet 2023", "RIS"),
    ("IMG-DB-RC-Juillet 2023", "DB"),
    ("HOP-PFI-Va2-RC-Juillet 2023", "PFI"),
    ("HOP-DPI-Va2-RC-Juillet 2023", "DPI"),
]


def paris(day: date, at: time | None = None) -> datetime:
    """The Europe/Paris datetime of a day (midnight for an all-day event)."""
    from zoneinfo import ZoneInfo

    return datetime.combine(day, at or time(0, 0), tzinfo=ZoneInfo("Europe/Paris"))
