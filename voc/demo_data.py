"""Generator of realistic French demo verbatims (complaints, NPS answers, social posts).

Everything here is pure and deterministic: a given :class:`DemoSpec` (or seed) always
produces the same rows and, once written, the same bytes. Only ``random.Random``
instances seeded from the spec are used, never the global RNG nor the clock.

Three sources, each with its own native columns (ingestion maps them):

* complaints -- a CRM export: ``N° ticket;Date de création;Canal;Catégorie;Statut;
  Marque;Secteur;Verbatim`` (CSV, ``;``, UTF-8 with BOM, CRLF, quoted newlines, dates
  like ``21/11/2026 14:03`` in Paris time);
* nps -- a survey tool export: ``response_id,submitted_at,score,why,touchpoint,brand,
  sector`` (CSV, ``,``, UTF-8, ISO 8601 dates with the Paris offset);
* social -- a social-listening export: JSON Lines with ``post_id, created_at (UTC, Z),
  platform, author, text, likes, replies, brand, sector``.

Sectors use the gold-set codes (``energie, telecom, ecommerce, banque, transport,
assurance``); brands are fictitious (:data:`BRANDS`, each with its official handle).

Texts are built compositionally (greetings, context, one or two irritant or
enchantement sentences with sector vocabulary, feelings, demands, PII, closings) and
then "typed" like customers do (abbreviations, no accents, capitals, "!!!", elongations,
emojis, typos, irony, hashtags, @mentions).

Planted trends (see :data:`PLANTED_TRENDS`), on the 12 ISO weeks of the default spec:

* spike -- ``panne_dysfonctionnement`` at Nexa Télécom roughly triples in the last two
  weeks (a network outage starting on the Monday of the last-but-one week);
* fade -- ``prix_eleve`` at Voltéo (a +15 % price rise on 1 September) decays from
  ~60 to ~10 a week;
* new -- ``new:perte_points_fidelite``: Shopéo's loyalty programme migrated to "Club+"
  on 26 October and customers lost their points (points fidélité, cagnotte remise à
  zéro, statut Gold...), only in the last 4 weeks, growing (~80 verbatims).

Planted data-quality defects (``defect`` in the truth): ``empty_text``, ``bad_date``,
``bad_score`` (11, dix, -1, empty...), ``score_format`` (valid but unusual: "9/10",
"8.0"), ``exact_duplicate`` (the same row, same id, twice in the file), ``retweet``,
``campaign`` (one message copy-pasted by 16 people), ``cross_channel`` (the same
complaint again through another channel, new ticket id), ``non_french`` (en, es, de,
it), ``html`` (entities and tags), ``oversized`` (one complaint over 100 kB).

The ground truth (``truth.csv``, never to be ingested) has one row per distinct
``(source, source_id)``: ``source, source_id, sector, brand, themes`` (';'-joined
taxonomy codes or ``new:<slug>``), ``planted`` (spike/fade/new or empty),
``is_french``, ``defect``, ``week`` (ISO week of the real timestamp, also for rows whose
date was made unparseable) and ``pii`` (kinds written into the text: email, tel, iban,
carte, nir, numero_client, pseudo). Phone numbers use the ranges reserved for fiction;
IBANs, card numbers and NIRs have valid check digits.

Public API::

    spec = DemoSpec()                       # the fixed sample's spec
    data = generate(spec)                   # DemoData(complaints, nps, social, truth)
    paths = write_sample(Path("data/sample"), spec)
    for row in iter_complaint_rows(1_000_000, seed=1): ...
    write_complaints_csv(Path("big.csv"), 1_000_000, seed=1)
"""

from __future__ import annotations

import csv
import json
import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from random import Random
from typing import Callable, Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

import pyarrow as pa

__all__ = [
    "Brand",
    "BRANDS",
    "BRAND_HANDLES",
    "SECTORS",
    "IRRITANT_CODES",
    "ENCHANTEMENT_CODES",
    "PLANTED_TRENDS",
    "NEW_THEME_SLUG",
    "COMPLAINT_COLUMNS",
    "NPS_COLUMNS",
    "SOCIAL_COLUMNS",
    "TRUTH_COLUMNS",
    "DemoSpec",
    "DemoData",
    "generate",
    "write_sample",
    "sample_file_names",
    "iter_complaint_rows",
    "write_complaints_csv",
]

PARIS = ZoneInfo("Europe/Paris")
SAMPLE_START = date(2026, 8, 31)  # Monday of ISO week 2026-W36
SAMPLE_END = date(2026, 11, 22)  # Sunday of ISO week 2026-W47

# ---------------------------------------------------------------------------
# Brands and sectors (all fictitious)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    name: str
    sector: str
    handle: str


BRANDS: list[Brand] = [
    Brand("Voltéo", "energie", "@Volteo_FR"),
    Brand("Helia Énergie", "energie", "@HeliaEnergie"),
    Brand("Nexa Télécom", "telecom", "@NexaTelecom"),
    Brand("Onda Mobile", "telecom", "@OndaMobile_FR"),
    Brand("Shopéo", "ecommerce", "@Shopeo_FR"),
    Brand("MaisonClic", "ecommerce", "@MaisonClic"),
    Brand("Banque Azur", "banque", "@BanqueAzur"),
    Brand("Kalo", "banque", "@KaloBanque"),
    Brand("Railo", "transport", "@Railo_FR"),
    Brand("Citalis", "transport", "@Citalis_Mobilite"),
    Brand("Assurial", "assurance", "@Assurial_FR"),
]
BRAND_HANDLES: list[str] = [b.handle for b in BRANDS]
SECTORS: list[str] = ["energie", "telecom", "ecommerce", "banque", "transport", "assurance"]
_BY_NAME = {b.name: b for b in BRANDS}
_BRAND_WEIGHT = {
    "Voltéo": 1.3, "Helia Énergie": 0.8, "Nexa Télécom": 1.2, "Onda Mobile": 0.8,
    "Shopéo": 1.2, "MaisonClic": 0.7, "Banque Azur": 1.0, "Kalo": 0.6, "Railo": 1.0,
    "Citalis": 0.6, "Assurial": 0.8,
}
_BRAND_TAG = {
    "Voltéo": ["#Volteo", "#Voltéo"], "Helia Énergie": ["#Helia", "#HeliaEnergie"],
    "Nexa Télécom": ["#Nexa", "#NexaTelecom"], "Onda Mobile": ["#Onda", "#OndaMobile"],
    "Shopéo": ["#Shopeo", "#Shopéo"], "MaisonClic": ["#MaisonClic"],
    "Banque Azur": ["#BanqueAzur"], "Kalo": ["#Kalo", "#KaloBanque"],
    "Railo": ["#Railo"], "Citalis": ["#Citalis"], "Assurial": ["#Assurial"],
}
_REF_PREFIX = {
    "Voltéo": "VO", "Helia Énergie": "HE", "Nexa Télécom": "NX", "Onda Mobile": "OM",
    "Shopéo": "SH", "MaisonClic": "MC", "Banque Azur": "BA", "Kalo": "KA", "Railo": "RL",
    "Citalis": "CT", "Assurial": "AS",
}

# ---------------------------------------------------------------------------
# Taxonomy codes (mirror of shared/spec/taxonomy.md, version 1)
# ---------------------------------------------------------------------------

IRRITANT_STAGE: dict[str, str] = {
    "demarchage_abusif": "decouverte",
    "information_trompeuse": "decouverte",
    "devis_offre": "decouverte",
    "souscription_difficile": "achat",
    "erreur_contrat": "achat",
    "retard_livraison": "livraison",
    "colis_perdu": "livraison",
    "produit_non_conforme": "livraison",
    "rdv_intervention": "livraison",
    "panne_dysfonctionnement": "usage",
    "qualite_decevante": "usage",
    "appli_site": "usage",
    "reparation_inefficace": "usage",
    "garantie_refusee": "usage",
    "fraude_securite": "usage",
    "erreur_facturation": "facturation",
    "prix_eleve": "facturation",
    "frais_caches": "facturation",
    "remboursement": "facturation",
    "injoignable": "service_client",
    "sans_reponse": "service_client",
    "conseiller_incompetent": "service_client",
    "accueil_desagreable": "service_client",
    "repeter_son_dossier": "service_client",
    "promesse_non_tenue": "service_client",
    "delai_traitement": "service_client",
    "resiliation_difficile": "resiliation",
    "frais_resiliation": "resiliation",
}
ENCHANTEMENT_STAGE: dict[str, str] = {
    "conseiller_aimable": "service_client",
    "resolution_rapide": "service_client",
    "livraison_rapide": "livraison",
    "intervention_efficace": "usage",
    "qualite_produit": "usage",
    "prix_attractif": "facturation",
    "simplicite_digitale": "usage",
    "geste_commercial": "service_client",
}
IRRITANT_CODES: list[str] = list(IRRITANT_STAGE)
ENCHANTEMENT_CODES: list[str] = list(ENCHANTEMENT_STAGE)

NEW_THEME_SLUG = "perte_points_fidelite"
PLANTED_TRENDS: dict[str, dict] = {
    "spike": {
        "brand": "Nexa Télécom", "sector": "telecom", "theme": "panne_dysfonctionnement",
        "weeks": "last 2", "story": "network outage starting on the Monday of the last-but-one week",
        "keywords": ["panne générale", "panne géante", "incident réseau", "#PanneNexa"],
    },
    "fade": {
        "brand": "Voltéo", "sector": "energie", "theme": "prix_eleve",
        "weeks": "all, decreasing", "story": "+15 % price rise on 1 September, complaints fade",
        "keywords": ["hausse de 15 %", "1er septembre", "mensualité qui passe de"],
    },
    "new": {
        "brand": "Shopéo", "sector": "ecommerce", "theme": "new:" + NEW_THEME_SLUG,
        "weeks": "last 4, growing",
        "story": "the loyalty programme 'Shopéo Club' migrated to 'Club+' on 26 October and "
                 "customers lost their points, vouchers and status",
        "keywords": ["points fidélité", "cagnotte", "remise à zéro", "Club+", "statut Gold",
                     "solde de points", "migration du programme"],
    },
}

# Relative frequency of each irritant / enchantement per sector (0 or absent = n/a).
_IRR_W: dict[str, dict[str, float]] = {
    "energie": dict(
        demarchage_abusif=3, information_trompeuse=4, devis_offre=2, souscription_difficile=2,
        erreur_contrat=4, retard_livraison=2, rdv_intervention=4, panne_dysfonctionnement=4,
        qualite_decevante=1, appli_site=4, reparation_inefficace=2, garantie_refusee=1,
        fraude_securite=1, erreur_facturation=10, prix_eleve=8, frais_caches=3, remboursement=5,
        injoignable=6, sans_reponse=5, conseiller_incompetent=4, accueil_desagreable=2,
        repeter_son_dossier=3, promesse_non_tenue=3, delai_traitement=4, resiliation_difficile=3,
        frais_resiliation=1),
    "telecom": dict(
        demarchage_abusif=3, information_trompeuse=5, devis_offre=1, souscription_difficile=2,
        erreur_contrat=4, retard_livraison=4, colis_perdu=2, produit_non_conforme=2,
        rdv_intervention=5, panne_dysfonctionnement=10, qualite_decevante=4, appli_site=3,
        reparation_inefficace=4, garantie_refusee=2, fraude_securite=2, erreur_facturation=6,
        prix_eleve=5, frais_caches=4, remboursement=3, injoignable=6, sans_reponse=4,
        conseiller_incompetent=4, accueil_desagreable=2, repeter_son_dossier=4,
        promesse_non_tenue=4, delai_traitement=3, resiliation_difficile=5, frais_resiliation=4),
    "ecommerce": dict(
        demarchage_abusif=1, information_trompeuse=4, devis_offre=1, souscription_difficile=3,
        erreur_contrat=2, retard_livraison=10, colis_perdu=8, produit_non_conforme=8,
        rdv_intervention=2, panne_dysfonctionnement=3, qualite_decevante=6, appli_site=3,
        reparation_inefficace=2, garantie_refusee=5, fraude_securite=2, erreur_facturation=3,
        prix_eleve=2, frais_caches=3, remboursement=9, injoignable=4, sans_reponse=6,
        conseiller_incompetent=3, accueil_desagreable=2, repeter_son_dossier=2,
        promesse_non_tenue=3, delai_traitement=3, resiliation_difficile=2),
    "banque": dict(
        demarchage_abusif=2, information_trompeuse=3, devis_offre=2, souscription_difficile=3,
        erreur_contrat=2, retard_livraison=2, colis_perdu=1, rdv_intervention=2,
        panne_dysfonctionnement=3, qualite_decevante=2, appli_site=6, garantie_refusee=2,
        fraude_securite=8, erreur_facturation=4, prix_eleve=3, frais_caches=7, remboursement=3,
        injoignable=5, sans_reponse=4, conseiller_incompetent=4, accueil_desagreable=3,
        repeter_son_dossier=3, promesse_non_tenue=3, delai_traitement=3, resiliation_difficile=3,
        frais_resiliation=2),
    "transport": dict(
        information_trompeuse=3, devis_offre=1, souscription_difficile=2, erreur_contrat=1,
        retard_livraison=1, panne_dysfonctionnement=10, qualite_decevante=8, appli_site=5,
        fraude_securite=1, erreur_facturation=2, prix_eleve=5, frais_caches=2, remboursement=8,
        injoignable=3, sans_reponse=3, conseiller_incompetent=2, accueil_desagreable=4,
        repeter_son_dossier=1, promesse_non_tenue=2, delai_traitement=2, resiliation_difficile=2,
        frais_resiliation=1),
    "assurance": dict(
        demarchage_abusif=3, information_trompeuse=4, devis_offre=3, souscription_difficile=2,
        erreur_contrat=3, rdv_intervention=3, qualite_decevante=1, appli_site=3,
        reparation_inefficace=2, garantie_refusee=9, fraude_securite=1, erreur_facturation=3,
        prix_eleve=6, frais_caches=2, remboursement=7, injoignable=4, sans_reponse=5,
        conseiller_incompetent=3, accueil_desagreable=2, repeter_son_dossier=3,
        promesse_non_tenue=2, delai_traitement=8, resiliation_difficile=4, frais_resiliation=2),
}
_ENCH_W: dict[str, dict[str, float]] = {
    "energie": dict(conseiller_aimable=5, resolution_rapide=4, livraison_rapide=1,
                    intervention_efficace=3, qualite_produit=2, prix_attractif=4,
                    simplicite_digitale=4, geste_commercial=2),
    "telecom": dict(conseiller_aimable=5, resolution_rapide=4, livraison_rapide=3,
                    intervention_efficace=4, qualite_produit=4, prix_attractif=4,
                    simplicite_digitale=3, geste_commercial=2),
    "ecommerce": dict(conseiller_aimable=3, resolution_rapide=3, livraison_rapide=8,
                      intervention_efficace=1, qualite_produit=5, prix_attractif=4,
                      simplicite_digitale=4, geste_commercial=2),
    "banque": dict(conseiller_aimable=6, resolution_rapide=4, livraison_rapide=1,
                   qualite_produit=2, prix_attractif=3, simplicite_digitale=5, geste_commercial=2),
    "transport": dict(conseiller_aimable=3, resolution_rapide=2, livraison_rapide=1,
                      qualite_produit=6, prix_attractif=3, simplicite_digitale=4,
                      geste_commercial=2),
    "assurance": dict(conseiller_aimable=5, resolution_rapide=4, intervention_efficace=3,
                      qualite_produit=2, prix_attractif=3, simplicite_digitale=3,
                      geste_commercial=2),
}

# ---------------------------------------------------------------------------
# Mini template engine: "[a|b|c]" picks one alternative, "{slot}" fills a slot.
# ---------------------------------------------------------------------------

_ALT_RE = re.compile(r"\[([^\[\]]*)\]")


def _compile(text: str) -> tuple:
    parts: list = []
    pos = 0
    for m in _ALT_RE.finditer(text):
        if m.start() > pos:
            parts.append(text[pos:m.start()])
        parts.append(tuple(m.group(1).split("|")))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts)


def _render(rng: Random, tpl: tuple, ctx: "_Ctx") -> str:
    out = []
    rnd = rng.random
    for p in tpl:
        if p.__class__ is str:
            out.append(p)
        else:
            out.append(p[int(rnd() * len(p))])
    s = "".join(out)
    if "{" in s:
        s = s.format_map(ctx)
    return s


def _pick(rng: Random, seq: Sequence):
    return seq[int(rng.random() * len(seq))]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _low(s: str) -> str:
    if len(s) > 1 and s[1].isupper():  # keep acronyms / ALL CAPS
        return s
    return s[:1].lower() + s[1:] if s else s


class _Weighted:
    """Fast weighted choice over a fixed population."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Iterable[tuple[object, float]]):
        items, cum, t = [], [], 0.0
        for item, w in pairs:
            if w > 0:
                t += w
                items.append(item)
                cum.append(t)
        self.items, self.cum, self.total = items, cum, t

    def pick(self, rng: Random):
        i = bisect_right(self.cum, rng.random() * self.total)
        return self.items[i if i < len(self.items) else -1]


# ---------------------------------------------------------------------------
# Vocabulary for slots, per sector ("*" = any sector)
# ---------------------------------------------------------------------------

_FIRST_NAMES = [
    "julie", "karim", "sophie", "thomas", "nadia", "lucas", "emma", "yanis", "camille", "leo",
    "sarah", "hugo", "ines", "mehdi", "chloe", "nathan", "manon", "rayan", "lea", "antoine",
    "fatou", "kevin", "marion", "bilal", "pauline", "maxime", "amandine", "youssef", "claire",
    "florian", "aurelie", "jordan", "celine", "samir", "elodie", "quentin", "laura", "mathis",
    "nathalie", "franck", "sylvie", "patrick", "brigitte", "jeremy", "oceane", "dylan", "anais",
    "morgane", "romain", "lina", "adam", "jade", "gabriel", "louise", "arthur", "zoe", "nicolas",
    "valerie", "didier", "christelle",
]
_LAST_NAMES = [
    "martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy",
    "moreau", "simon", "laurent", "lefebvre", "michel", "garcia", "david", "bertrand", "roux",
    "vincent", "fournier", "morel", "girard", "andre", "mercier", "dupont", "lambert", "bonnet",
    "francois", "martinez", "legrand", "garnier", "faure", "rousseau", "blanc", "guerin",
    "muller", "henry", "roussel", "nicolas", "perrin", "mathieu", "benali", "diallo", "nguyen",
]
_SIGN_FIRST = ["Julie", "Karim", "Sophie", "Thomas", "Nadia", "Lucas", "Emma", "Yanis", "Camille",
               "Sarah", "Hugo", "Inès", "Mehdi", "Chloé", "Manon", "Léa", "Antoine", "Marion",
               "Pauline", "Claire", "Florian", "Aurélie", "Céline", "Samir", "Élodie", "Nathalie",
               "Franck", "Sylvie", "Patrick", "Brigitte", "Jean-Marc", "Martine", "Gérard",
               "Monique", "Christophe", "Isabelle", "Stéphane", "Sandrine", "Laurent", "Fatima"]
_CITIES = ["Lyon", "Lille", "Nantes", "Rennes", "Toulouse", "Marseille", "Bordeaux", "Strasbourg",
           "Montpellier", "Dijon", "Angers", "Brest", "Limoges", "Metz", "Tours", "Grenoble",
           "Rouen", "Caen", "Pau", "Nîmes", "Perpignan", "Amiens", "Reims", "Clermont-Ferrand",
           "Besançon", "Saint-Étienne", "Le Mans", "Orléans", "Poitiers", "Annecy", "Valence",
           "Quimper", "Chambéry", "Lorient", "Niort", "Vannes", "Bayonne", "Colmar"]
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"]
_WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

# Plain lists: a value may itself contain {slots}; "|f" marks a feminine noun phrase.
_VOCAB: dict[str, dict[str, list[str]]] = {
    "offre": {
        "energie": ["mon contrat d'électricité", "mon contrat de gaz", "mon contrat électricité et gaz",
                    "mon offre à prix fixe", "mon contrat", "mon offre Confort"],
        "telecom": ["mon abonnement fibre", "mon forfait mobile", "mon abonnement box", "ma ligne fixe",
                    "mon forfait 5G", "mon abonnement"],
        "ecommerce": ["mon abonnement {marque} Premium", "mon compte client", "ma commande",
                      "mon abonnement livraison illimitée"],
        "banque": ["mon compte courant", "mon compte joint", "ma carte bancaire", "mon livret",
                   "mon prêt", "mon compte"],
        "transport": ["mon abonnement mensuel", "mon abonnement annuel", "ma carte de réduction",
                      "mon pass {marque}", "mon forfait trajets"],
        "assurance": ["mon contrat auto", "mon assurance habitation", "ma mutuelle",
                      "mon assurance moto", "mon contrat multirisque"],
    },
    "objet": {
        "energie": ["mon compteur", "ma chaudière|f", "ma borne de recharge|f", "le thermostat connecté",
                    "ma pompe à chaleur|f"],
        "telecom": ["ma box|f", "mon décodeur TV", "mon nouveau téléphone", "ma carte SIM|f",
                    "le répéteur wifi", "mon smartphone"],
        "ecommerce": ["mon aspirateur robot", "ma machine à laver|f", "mon casque audio",
                      "ma cafetière|f", "mon canapé", "ma trottinette électrique|f", "mon téléviseur",
                      "ma paire de baskets|f", "mon sèche-linge", "ma friteuse à air|f",
                      "mon ordinateur portable", "ma console de jeux|f", "mon matelas", "ma perceuse|f",
                      "mon lave-vaisselle", "ma montre connectée|f", "mon vélo électrique",
                      "ma tablette|f", "mon barbecue", "ma table de jardin|f"],
        "banque": ["ma carte bancaire|f", "mon chéquier", "ma nouvelle carte|f",
                   "mon boîtier d'authentification"],
        "transport": ["mon pass", "ma carte d'abonnement|f", "mon billet", "mon e-billet"],
        "assurance": ["ma voiture|f", "mon téléphone", "mon vélo électrique", "ma chaudière|f",
                      "mon scooter"],
    },
    "appareil": {
        "ecommerce": ["mon aspirateur robot", "ma machine à laver|f", "mon casque audio", "ma cafetière|f",
                      "ma trottinette électrique|f", "mon téléviseur", "mon sèche-linge", "ma friteuse à air|f",
                      "mon ordinateur portable", "ma console de jeux|f", "mon lave-vaisselle",
                      "ma montre connectée|f", "mon vélo électrique", "ma tablette|f", "mon robot pâtissier",
                      "ma perceuse|f", "mon micro-ondes", "ma plaque à induction|f"],
    },
    "appli": {
        "*": ["l'appli", "l'application {marque}", "l'espace client", "le site {marque}",
              "mon espace en ligne", "l'appli mobile", "le site"],
        "banque": ["l'appli {marque}", "la banque en ligne", "l'appli", "mon espace client"],
        "transport": ["l'appli {marque}", "le site de réservation", "l'appli", "le site {marque}"],
    },
    "tech": {
        "energie": ["le technicien", "le technicien du gestionnaire de réseau", "le chauffagiste",
                    "l'installateur"],
        "telecom": ["le technicien", "le technicien fibre", "le sous-traitant", "l'intervenant"],
        "ecommerce": ["le livreur", "le réparateur", "l'installateur", "le technicien SAV"],
        "banque": ["le conseiller"],
        "transport": ["l'agent"],
        "assurance": ["l'expert", "le réparateur agréé", "le garagiste agréé",
                      "le plombier envoyé par l'assistance"],
    },
    "conseiller": {
        "*": ["le conseiller", "la conseillère", "la personne au téléphone", "l'agent",
              "le téléconseiller", "votre collègue", "la dame au téléphone", "la personne du chat",
              "le responsable d'agence", "la conseillère en agence"],
    },
    "intervention": {
        "energie": ["la pose du compteur", "le dépannage de ma chaudière", "la mise en service du compteur",
                    "le relevé du compteur", "l'entretien de la chaudière"],
        "telecom": ["le raccordement fibre", "le passage du technicien", "la réparation de ma ligne",
                    "l'installation de la box"],
        "ecommerce": ["la livraison et l'installation de ma machine", "le montage de ma cuisine",
                      "la reprise de mon ancien frigo"],
        "assurance": ["le passage de l'expert", "l'expertise de mon véhicule",
                      "la visite de l'expert pour le dégât des eaux"],
        "*": ["l'intervention"],
    },
    "condition": {
        "energie": ["le prix était indexé et pouvait augmenter à tout moment",
                    "le prix « bloqué » ne l'était que pendant un an",
                    "l'offre verte coûtait en fait plus cher que l'ancienne",
                    "la remise de bienvenue ne s'appliquait qu'au gaz",
                    "l'abonnement augmenterait dès le deuxième mois"],
        "telecom": ["le débit annoncé n'était pas disponible à mon adresse",
                    "le prix promo ne durait que 12 mois", "la box était en location et pas offerte",
                    "les appels vers l'étranger n'étaient pas inclus",
                    "la 5G ne couvrait pas ma ville", "le bouquet TV devenait payant après 3 mois"],
        "ecommerce": ["la livraison gratuite ne s'appliquait pas à mon article",
                      "l'article était expédié depuis l'étranger",
                      "le produit était reconditionné et pas neuf", "le retour était à mes frais",
                      "la promo ne marchait pas sur les articles des vendeurs tiers"],
        "banque": ["la carte n'était gratuite que la première année",
                   "des frais de tenue de compte s'ajoutaient chaque trimestre",
                   "le taux du prêt était variable",
                   "le taux du livret retombait au bout de 3 mois",
                   "la prime de bienvenue exigeait 5 paiements par mois"],
        "transport": ["le billet n'était ni échangeable ni remboursable",
                      "la réduction ne s'appliquait pas aux heures de pointe",
                      "le prix affiché ne comprenait pas le supplément vélo",
                      "l'abonnement ne couvrait pas toute la zone"],
        "assurance": ["le dégât des eaux n'était pas couvert", "il y avait une franchise de 500 €",
                      "le délai de carence était de 6 mois", "le bris de glace était en option",
                      "le prêt de véhicule n'était pas inclus"],
    },
    "promesse": {
        "energie": ["un prix bloqué pendant 2 ans", "une facture qui baisserait de 20 %",
                    "de l'électricité 100 % verte au même prix"],
        "telecom": ["la fibre à 1 Gb/s", "un forfait à 9,99 € à vie", "une installation sous 7 jours",
                    "le remboursement de mes frais de résiliation"],
        "ecommerce": ["une livraison en 24 h", "un produit neuf", "le retour gratuit"],
        "banque": ["une carte gratuite", "zéro frais à l'étranger", "une prime de 150 € à l'ouverture"],
        "transport": ["un billet remboursable", "un abonnement valable sur tout le réseau"],
        "assurance": ["une couverture tous risques", "un remboursement à 100 %", "aucune franchise"],
    },
    "devis_objet": {
        "energie": ["le raccordement de ma maison neuve", "l'installation de panneaux solaires",
                    "une borne de recharge", "le remplacement de ma chaudière"],
        "telecom": ["une offre pro pour mes 5 lignes", "le raccordement fibre de mon local",
                    "l'abonnement de mon entreprise"],
        "ecommerce": ["la livraison d'une cuisine sur mesure", "une commande en gros pour mon entreprise",
                      "la pose d'un dressing"],
        "banque": ["mon prêt immobilier", "un rachat de crédit", "un prêt travaux", "un prêt auto"],
        "assurance": ["assurer ma nouvelle voiture", "une assurance emprunteur",
                      "la mutuelle de toute la famille", "l'assurance de mon local commercial"],
        "transport": ["un groupe de 25 élèves", "un abonnement entreprise pour 12 salariés"],
    },
    "option": {
        "energie": ["l'option heures creuses", "l'assurance dépannage électrique",
                    "l'option « énergie verte + »", "une offre gaz que je n'ai pas demandée"],
        "telecom": ["une option TV à 9 € par mois", "l'assurance mobile", "une option roaming",
                    "l'option cloud 100 Go"],
        "ecommerce": ["l'extension de garantie", "l'assurance casse",
                      "la livraison express payante"],
        "banque": ["l'assurance moyens de paiement", "une carte premium", "l'option découvert"],
        "transport": ["l'option bagage", "l'assurance annulation"],
        "assurance": ["l'assistance 0 km", "une garantie juridique", "l'option bris de glace"],
    },
    "ligne": {
        "transport": ["TER de 7h42", "train de 18h05", "bus 21", "tram T2", "car de 6h50",
                      "train de 8h12", "bus 4", "TER de 17h36", "Intercités de 9h", "tram B"],
        "*": ["train"],
    },
    "duree": {"*": ["3 semaines", "15 jours", "deux mois", "10 jours", "plus d'un mois", "6 semaines",
                    "un mois", "8 jours", "trois semaines", "près de 2 mois", "5 semaines", "12 jours"]},
    "duree_courte": {"*": ["2 jours", "3 jours", "4 jours", "une semaine", "5 jours", "48 h",
                           "ce week-end", "hier", "lundi", "6 jours"]},
    "duree_longue": {"*": ["3 mois", "deux mois", "6 semaines", "plus de deux mois", "4 mois",
                           "presque trois mois", "10 semaines", "5 mois"]},
    "nb": {"*": ["3", "4", "5", "6", "7", "8", "10", "12", "15", "une dizaine de", "plusieurs",
                 "trois", "quatre", "cinq"]},
    "nbieme": {"*": ["3e", "4e", "5e", "troisième", "quatrième", "dixième", "6e"]},
    "anciennete": {"*": ["2", "3", "4", "5", "6", "7", "8", "10", "12", "15", "18", "20", "25"]},
    "annee": {"*": ["2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023"]},
    "geste": {"*": ["20 €", "30 euros", "un mois d'abonnement", "50 €", "15 €", "40 €",
                    "deux mois offerts", "un bon de 25 €"]},
    "eco": {"*": ["150 €", "200 € par an", "30 € par mois", "près de 300 €", "20 € par mois",
                  "une centaine d'euros"]},
}


def _parse_vocab() -> dict[str, dict[str, list]]:
    out: dict[str, dict[str, list]] = {}
    for slot, by_sector in _VOCAB.items():
        out[slot] = {}
        for sector, values in by_sector.items():
            parsed = []
            for v in values:
                if slot in ("objet", "appareil"):
                    text, _, g = v.partition("|")
                    parsed.append((text, g == "f"))
                else:
                    parsed.append(v)
            out[slot][sector] = parsed
    return out


_VOC = _parse_vocab()

_AMOUNT_RANGE = {
    "energie": (45, 1400), "telecom": (15, 240), "ecommerce": (19, 1200), "banque": (8, 2500),
    "transport": (9, 240), "assurance": (40, 2500),
}


# ---------------------------------------------------------------------------
# Fake PII, formatted as customers type it (phone numbers in the ARCEP ranges
# reserved for fiction; IBAN, card and NIR with valid check digits).
# ---------------------------------------------------------------------------

_EMAIL_DOMAINS = ["exemple.fr", "mail.fr", "courriel.fr", "boitemail.com", "monmail.fr",
                  "webmel.fr", "exemple.com", "laboite.net"]
_FICTION_PHONE = ["01 99 00", "02 61 91", "03 53 01", "04 65 71", "05 36 49", "06 39 98",
                  "09 77 42"]


def _fake_email(rng: Random) -> str:
    fn, ln = _pick(rng, _FIRST_NAMES), _pick(rng, _LAST_NAMES)
    style = rng.random()
    if style < 0.4:
        local = f"{fn}.{ln}"
    elif style < 0.7:
        local = f"{fn}{ln[0]}{rng.randint(1, 99)}"
    else:
        local = f"{ln}.{fn}{rng.randint(60, 99)}"
    return f"{local}@{_pick(rng, _EMAIL_DOMAINS)}"


def _fake_phone(rng: Random) -> str:
    prefix = _pick(rng, _FICTION_PHONE)
    a, b = rng.randint(0, 99), rng.randint(0, 99)
    digits = prefix.replace(" ", "") + f"{a:02d}{b:02d}"
    style = rng.random()
    if style < 0.45:
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    if style < 0.7:
        return digits
    if style < 0.85:
        return ".".join(digits[i:i + 2] for i in range(0, 10, 2))
    return "+33 " + digits[1] + " " + " ".join(digits[i:i + 2] for i in range(2, 10, 2))


def _iban_check(country: str, bban: str) -> str:
    s = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in s)
    return f"{98 - int(num) % 97:02d}"


def _fake_iban(rng: Random) -> str:
    bban = "".join(str(rng.randint(0, 9)) for _ in range(23))
    iban = "FR" + _iban_check("FR", bban) + bban
    if rng.random() < 0.6:
        return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    return iban


def _luhn_digit(partial: str) -> str:
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _fake_card(rng: Random) -> str:
    partial = "4970" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    card = partial + _luhn_digit(partial)
    if rng.random() < 0.7:
        return " ".join(card[i:i + 4] for i in range(0, 16, 4))
    return card


def _fake_nir(rng: Random) -> str:
    sex = rng.choice("12")
    yy, mm = rng.randint(40, 99), rng.randint(1, 12)
    dept, commune, order = rng.randint(1, 95), rng.randint(1, 999), rng.randint(1, 999)
    body = f"{sex}{yy:02d}{mm:02d}{dept:02d}{commune:03d}{order:03d}"
    key = 97 - int(body) % 97
    if rng.random() < 0.6:
        return f"{sex} {yy:02d} {mm:02d} {dept:02d} {commune:03d} {order:03d} {key:02d}"
    return f"{body}{key:02d}"


def _fake_numclient(rng: Random, brand: Brand) -> str:
    n = rng.randint(10_000_000, 99_999_999)
    style = rng.random()
    if style < 0.3:
        return f"n° client {n}"
    if style < 0.5:
        return f"numéro client : {n}"
    if style < 0.65:
        return f"réf. client {_REF_PREFIX[brand.name]}-{n}"
    if style < 0.8:
        return f"contrat n° {n}{rng.randint(10, 99)}"
    if style < 0.9:
        return f"N° de dossier {rng.randint(100000, 999999)}"
    return f"identifiant client {n}"


def _fake_ref_commande(rng: Random, brand: Brand) -> str:
    n = rng.randint(10_000_000, 99_999_999)
    style = rng.random()
    if style < 0.4:
        return f"commande n° {_REF_PREFIX[brand.name]}-{n}"
    if style < 0.7:
        return f"commande #{n}"
    return f"n° de commande {_REF_PREFIX[brand.name]}{n}"


def _private_handle(rng: Random) -> str:
    fn = _pick(rng, _FIRST_NAMES)
    style = rng.random()
    if style < 0.35:
        return f"@{fn}_{_pick(rng, _LAST_NAMES)[0]}{rng.randint(1, 95):02d}"
    if style < 0.55:
        return f"@{fn}{rng.randint(1975, 2006)}"
    if style < 0.75:
        return f"@{fn}.{_pick(rng, _LAST_NAMES)[:4]}"
    if style < 0.9:
        return f"@{_pick(rng, ['la_vraie_', 'lil', 'mr_', 'mme_', 'xx', 'the_', 'petit_', 'real'])}{fn}"
    return f"@{fn[:3]}{_pick(rng, _LAST_NAMES)[:3]}{rng.randint(1, 999)}"


# ---------------------------------------------------------------------------
# Lazy slot context
# ---------------------------------------------------------------------------


def _fmt_int(v: int, rng: Random) -> str:
    if v >= 1000 and rng.random() < 0.65:
        return f"{v:,}".replace(",", " ")
    return str(v)


def _fmt_amount(rng: Random, lo: float, hi: float) -> str:
    v = rng.uniform(lo, hi)
    r = rng.random()
    if v < 150 and r < 0.35:
        s = f"{v:.2f}".replace(".", ",")
    else:
        if v > 200:
            v = round(v / 10) * 10 if rng.random() < 0.6 else round(v)
        s = _fmt_int(int(round(v)), rng)
    suffix = _pick(rng, (" €", " €", " €", "€", "€", " euros", " EUR"))
    return s + suffix


def _fmt_date_short(d: date, rng: Random) -> str:
    r = rng.random()
    if r < 0.35:
        return f"{d.day:02d}/{d.month:02d}"
    if r < 0.55:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if r < 0.85:
        return f"{d.day} {_MONTHS[d.month - 1]}"
    return f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"


class _Ctx(dict):
    """Slot values, generated on first use and then reused in the whole text."""

    def __init__(self, rng: Random, brand: Brand, when: datetime, trend: dict | None = None):
        super().__init__()
        self.rng = rng
        self.brand = brand
        self.sector = brand.sector
        self.when = when
        self.pii: set[str] = set()
        self.trend = trend or {}
        self["marque"] = brand.name
        self["handle"] = brand.handle
        fem = rng.random() < 0.52
        self["e_c"] = "e" if fem else ""
        self["client_e"] = "cliente" if fem else "client"

    def __missing__(self, key: str) -> str:
        if key.endswith("_cap"):
            val = _cap(self[key[:-4]])
        else:
            fn = _SLOT_FUNCS.get(key)
            if fn is not None:
                val = fn(self)
            else:
                by = _VOC[key]
                lst = by.get(self.sector) or by["*"]
                val = _pick(self.rng, lst)
                if "{" in val:
                    val = val.format_map(self)
        self[key] = val
        return val


def _slot_objet(c: _Ctx) -> str:
    by = _VOC["objet"]
    text, fem = _pick(c.rng, by.get(c.sector) or by["ecommerce"])
    c["e"] = "e" if fem else ""
    return text


def _slot_e(c: _Ctx) -> str:
    c["objet"]
    return dict.__getitem__(c, "e")


def _slot_appareil(c: _Ctx) -> str:
    text, fem = _pick(c.rng, _VOC["appareil"]["ecommerce"])
    c["ea"] = "e" if fem else ""
    return text


def _slot_ea(c: _Ctx) -> str:
    c["appareil"]
    return dict.__getitem__(c, "ea")


def _slot_montant(c: _Ctx) -> str:
    lo, hi = _AMOUNT_RANGE[c.sector]
    return _fmt_amount(c.rng, lo, hi)


def _slot_date_past(c: _Ctx) -> str:
    d = (c.when - timedelta(days=c.rng.randint(3, 45))).date()
    c["mois_past"] = _MONTHS[d.month - 1]
    return _fmt_date_short(d, c.rng)


def _slot_mois_past(c: _Ctx) -> str:
    c["date_past"]
    return dict.__getitem__(c, "mois_past")


def _slot_date_future(c: _Ctx) -> str:
    return _fmt_date_short((c.when + timedelta(days=c.rng.randint(5, 40))).date(), c.rng)


def _slot_index(c: _Ctx) -> str:
    v2 = c.rng.randint(4000, 42000)
    v1 = v2 + c.rng.randint(1500, 6500)
    c["index2"] = _fmt_int(v2, c.rng)
    return _fmt_int(v1, c.rng)


def _slot_index2(c: _Ctx) -> str:
    if "index1" not in c:
        c["index1"]
    return dict.__getitem__(c, "index2")


def _slot_mens(c: _Ctx) -> str:
    lo = c.rng.randint(42, 95)
    hi = int(lo * c.rng.uniform(1.25, 1.6))
    c["mens_haut"] = f"{hi} €" if c.rng.random() < 0.7 else f"{hi}€"
    return f"{lo} €" if c.rng.random() < 0.7 else f"{lo}€"


def _slot_mens_haut(c: _Ctx) -> str:
    if "mens_bas" not in c:
        c["mens_bas"]
    return dict.__getitem__(c, "mens_haut")


def _slot_pii(kind: str, fn: Callable[[Random], str]) -> Callable[[_Ctx], str]:
    def f(c: _Ctx) -> str:
        c.pii.add(kind)
        return fn(c.rng)
    return f


def _slot_numclient(c: _Ctx) -> str:
    c.pii.add("numero_client")
    return _fake_numclient(c.rng, c.brand)


def _slot_ref_commande(c: _Ctx) -> str:
    c.pii.add("numero_client")
    return _fake_ref_commande(c.rng, c.brand)


def _slot_prenom_sign(c: _Ctx) -> str:
    r = c.rng.random()
    fn = _pick(c.rng, _SIGN_FIRST)
    if r < 0.6:
        return f"{fn} {_cap(_pick(c.rng, _LAST_NAMES))[0]}."
    if r < 0.8:
        return fn
    return f"{'Mme' if c['e_c'] else 'M.'} {_cap(_pick(c.rng, _LAST_NAMES))[0]}."


def _slot_jours(c: _Ctx) -> str:
    start = c.trend.get("outage_start")
    if start is None:
        return str(c.rng.randint(2, 9))
    return str(max(1, (c.when.date() - start).days + 1))


def _slot_outage_date(c: _Ctx) -> str:
    start = c.trend.get("outage_start", c.when.date())
    r = c.rng.random()
    if r < 0.4:
        return f"{start.day} {_MONTHS[start.month - 1]}"
    if r < 0.7:
        return f"{start.day:02d}/{start.month:02d}"
    return f"{_WEEKDAYS[start.weekday()]} {start.day}"


def _slot_pts(c: _Ctx) -> str:
    return _fmt_int(c.rng.randint(12, 300) * 50, c.rng)


_SLOT_FUNCS: dict[str, Callable[[_Ctx], str]] = {
    "objet": _slot_objet,
    "e": _slot_e,
    "appareil": _slot_appareil,
    "ea": _slot_ea,
    "montant": _slot_montant,
    "montant_regul": lambda c: _fmt_amount(c.rng, 320, 1650),
    "frais": lambda c: _fmt_amount(c.rng, 5, 95),
    "frais_res": lambda c: _fmt_amount(c.rng, 49, 380),
    "date_past": _slot_date_past,
    "mois_past": _slot_mois_past,
    "date_future": _slot_date_future,
    "date_cmd": lambda c: _fmt_date_short((c.when - timedelta(days=c.rng.randint(12, 50))).date(), c.rng),
    "index1": _slot_index,
    "index2": _slot_index2,
    "mens_bas": _slot_mens,
    "mens_haut": _slot_mens_haut,
    "nbj": lambda c: str(c.rng.randint(5, 24)),
    "ville": lambda c: _pick(c.rng, _CITIES),
    "prenom_conseiller": lambda c: _pick(c.rng, _SIGN_FIRST),
    "signature": _slot_prenom_sign,
    "numclient": _slot_numclient,
    "ref_commande": _slot_ref_commande,
    "tel": _slot_pii("tel", _fake_phone),
    "email": _slot_pii("email", _fake_email),
    "iban": _slot_pii("iban", _fake_iban),
    "carte": _slot_pii("carte", _fake_card),
    "nir": _slot_pii("nir", _fake_nir),
    "jours": _slot_jours,
    "outage_date": _slot_outage_date,
    "pct": lambda c: _pick(c.rng, ["15", "15", "15", "15,2", "près de 15", "15"]),
    "pts": _slot_pts,
    "euros": lambda c: str(c.rng.randint(8, 180)),
    "euros_small": lambda c: str(c.rng.randint(2, 9)),
}


# ---------------------------------------------------------------------------
# Phrase banks. Keys: "*" (every sector where the code applies), a sector, or a
# tuple of sectors. "sent" = full sentences, "short" = short noun phrases used in
# NPS answers, social posts, lists and ironic frames.
# ---------------------------------------------------------------------------

_ALL = ("energie", "telecom", "ecommerce", "banque", "transport", "assurance")

_IRR_SENT: dict[str, dict] = {
    "demarchage_abusif": {
        "*": [
            "Je reçois des appels de {marque} [tous les jours|plusieurs fois par semaine|matin, midi et soir] pour me vendre une offre dont je ne veux pas.",
            "Harcèlement commercial : encore un appel de démarchage à [20h30|21h|8h du matin|l'heure du dîner] alors que j'ai demandé [plusieurs fois|à maintes reprises] qu'on arrête.",
            "Un démarcheur de chez {marque} est passé chez [ma mère de 84 ans|ma grand-mère de 91 ans|ma voisine âgée] et lui a fait signer un contrat sans qu'elle y comprenne rien.",
            "Je suis inscrit{e_c} sur Bloctel et {marque} continue [quand même|malgré tout] de m'appeler pour des offres.",
            "Je suis [spammé{e_c}|bombardé{e_c}|inondé{e_c}] de SMS et de mails publicitaires, [impossible de me désabonner|le lien de désinscription ne marche pas].",
            "Vente forcée au téléphone : le vendeur a insisté pendant [20|30|45] minutes, j'ai fini par raccrocher.",
            "Des appels incessants depuis des numéros différents, toujours pour {marque}, c'est du harcèlement.",
            "On me rappelle sans arrêt pour [changer d'offre|souscrire une option|passer à l'offre supérieure] alors que j'ai dit non [trois fois|clairement|à chaque fois].",
            "Démarchage agressif en porte-à-porte, le commercial [refusait de partir|a mis le pied dans la porte|est revenu deux fois dans la semaine].",
            "Même le dimanche on m'appelle pour une offre {marque}, [c'est insupportable|trop c'est trop|il faut que ça cesse].",
        ],
        "energie": [
            "Un commercial s'est présenté [soi-disant|prétendument] pour « vérifier mon compteur », en réalité il voulait me faire signer chez {marque}.",
            "Un vendeur au téléphone m'a fait croire que mon contrat allait être coupé si je ne passais pas à l'offre verte de {marque}.",
        ],
        "telecom": [
            "Appelé{e_c} [tous les jours|5 fois cette semaine] pour passer à la fibre {marque} alors que je suis déjà client{e_c} fibre.",
            "Les SMS promotionnels de {marque} arrivent même à 23h, j'en reçois trois par jour.",
        ],
        "banque": [
            "Mon conseiller m'appelle [chaque semaine|sans arrêt] pour me placer une assurance vie dont je ne veux pas.",
            "On essaie de me vendre un crédit renouvelable à chaque appel, j'ai pourtant dit non.",
        ],
        "assurance": [
            "[Relancé{e_c}|Harcelé{e_c}] [sans arrêt|tous les deux jours] pour une assurance obsèques dont je ne veux pas.",
            "Depuis que j'ai demandé un simple tarif, {marque} m'appelle [tous les jours|deux fois par jour], même au travail.",
        ],
        "ecommerce": [
            "Depuis ma commande je reçois [5|6|8] mails publicitaires par jour de {marque}, impossible de me désinscrire.",
        ],
    },
    "information_trompeuse": {
        "*": [
            "On m'avait promis {promesse} et au final ce n'est pas [du tout|vraiment pas] le cas.",
            "Le vendeur ne m'a [jamais|pas] prévenu{e_c} que {condition}.",
            "Conditions cachées [en tout petit|en bas de page|en annexe du contrat] : {condition}, évidemment personne ne le dit.",
            "On m'a vendu {offre} comme « sans engagement » alors qu'il y a bien un engagement de [12|24] mois.",
            "Rien n'indiquait [sur le site|dans la pub|sur la brochure] que {condition}.",
            "Le commercial m'a présenté l'offre comme [avantageuse|tout compris], j'ai découvert après coup que {condition}.",
            "Information [incomplète|trompeuse] au moment de [la souscription|l'achat] : personne ne m'a dit que {condition}.",
            "Publicité mensongère ! [On nous vend|La pub annonce] {promesse}, c'est faux.",
            "L'offre n'est pas claire du tout, on croit faire une affaire et [on découvre|j'ai découvert] que {condition}.",
        ],
    },
    "devis_offre": {
        "*": [
            "J'ai demandé un devis pour {devis_objet} il y a {duree} et je n'ai toujours rien reçu.",
            "[Trois|Quatre|Cinq] relances pour obtenir un simple devis pour {devis_objet}, toujours rien.",
            "Impossible d'obtenir une proposition chiffrée pour {devis_objet}, on me répond juste que « ça arrive ».",
            "J'attends le devis pour {devis_objet} depuis {duree}, c'est long pour une simple estimation.",
            "Aucune proposition commerciale malgré mes demandes répétées pour {devis_objet}.",
            "J'ai rempli le formulaire de devis en ligne [le {date_past}|il y a {duree}], puis plus aucune nouvelle.",
            "Pour un simple devis, on m'a demandé de rappeler, puis d'écrire, et au final toujours pas de chiffrage.",
            "Je voulais juste un tarif pour {devis_objet}, personne n'est capable de me le donner.",
            "Devis jamais reçu pour {devis_objet}, [du coup je suis allé{e_c} voir ailleurs|j'ai fini par aller à la concurrence].",
        ],
    },
    "souscription_difficile": {
        "*": [
            "Impossible de finaliser ma souscription en ligne, [ça bloque|le parcours plante] à la dernière étape.",
            "J'ai voulu souscrire mais on me demande des justificatifs à n'en plus finir : [RIB, pièce d'identité, avis d'imposition|RIB puis facture puis encore le RIB].",
            "Mon paiement a été refusé [trois|quatre] fois au moment de souscrire alors que ma carte fonctionne partout ailleurs.",
            "Le parcours d'inscription est d'une complexité folle, j'ai abandonné au bout de [45 minutes|une heure].",
            "Ça fait {duree} que j'essaie de devenir client{e_c}, mon dossier de souscription est bloqué « en cours de validation ».",
            "La signature électronique du contrat ne marche pas, j'ai reçu [4|5|6] codes qui ne fonctionnent pas.",
            "Il faut se déplacer en agence pour souscrire, alors que tout est annoncé « 100 % en ligne ».",
            "Je n'arrive pas à m'abonner : le formulaire me renvoie une erreur à chaque validation.",
            "Souscription bloquée depuis {duree} parce que mon adresse « n'existe pas » dans votre système.",
        ],
        "banque": [
            "L'ouverture de compte traîne : ma pièce d'identité a été refusée [3|4] fois par l'outil de vérification.",
            "Pour ouvrir un simple livret il m'a fallu trois rendez-vous et autant de dossiers.",
        ],
        "transport": [
            "Impossible d'acheter mon abonnement annuel en ligne, le paiement est refusé à chaque fois.",
            "La souscription au pass {marque} exige une photo que le formulaire refuse systématiquement.",
        ],
        "ecommerce": [
            "Impossible de passer commande : le panier se vide à chaque validation.",
            "Le paiement en 3 fois est refusé sans explication, je n'ai jamais pu commander.",
        ],
        "telecom": [
            "Impossible de souscrire le forfait en ligne, l'étape de vérification d'identité tourne en boucle.",
        ],
        "energie": [
            "Impossible de souscrire en ligne car mon numéro de PDL n'est « pas reconnu ».",
        ],
    },
    "erreur_contrat": {
        "*": [
            "On m'a ajouté une option que je n'ai jamais demandée : {option}.",
            "Le contrat reçu ne correspond pas du tout à ce que j'ai signé.",
            "Erreur sur mon dossier : [mauvaise adresse|nom mal orthographié|mauvaise date de naissance], et c'est à moi de tout corriger.",
            "Je me retrouve avec {option} sur mon contrat sans mon accord.",
            "Le contrat a été mis au nom de [mon ex-conjoint|mon fils|l'ancien locataire], impossible de le corriger.",
            "Mauvais contrat : ce n'est pas du tout l'offre que j'avais choisie [en boutique|au téléphone|sur le site].",
            "{option_cap} a été [ajoutée|rajoutée] à mon contrat sans que je la demande.",
            "On m'a souscrit deux contrats au lieu d'un seul, alors que je n'ai signé qu'une fois.",
        ],
        "energie": [
            "Mon contrat a été rattaché au mauvais PDL, je paie la consommation [du voisin|de l'appartement du dessus] !",
            "Mauvais compteur rattaché à mon contrat : le numéro ne correspond pas à celui de mon logement.",
            "On m'a mis en option heures pleines / heures creuses alors que j'avais demandé l'option base.",
        ],
        "telecom": [
            "Ils ont activé le forfait 100 Go au lieu du 20 Go que j'avais choisi.",
            "Ma ligne a été rattachée au compte de quelqu'un d'autre.",
        ],
        "banque": ["Ma carte a été remplacée par une carte haut de gamme payante sans qu'on me demande mon avis."],
        "assurance": [
            "Ma voiture est assurée au tiers alors que j'ai signé un contrat tous risques.",
            "Le bonus enregistré sur mon contrat est faux, je suis à 0,85 au lieu de 0,50.",
        ],
        "transport": [
            "On m'a vendu un abonnement plein tarif au lieu du tarif jeune auquel j'ai droit.",
            "Mon abonnement a été enregistré sur le mauvais trajet.",
        ],
        "ecommerce": [
            "La commande enregistrée n'est pas celle que j'ai passée : mauvaise taille et mauvaise couleur.",
            "Ma commande a été enregistrée en double par le site, alors que je n'ai validé qu'une fois.",
        ],
    },
    "retard_livraison": {
        "ecommerce": [
            "Commande passée le {date_past}, [annoncée|prévue] sous [48 h|72 h|3 jours ouvrés], [toujours pas livrée|toujours rien reçu].",
            "Ma commande a déjà {nbj} jours de retard [et aucune explication|sans la moindre explication].",
            "La date de livraison recule [tous les jours|sans arrêt] : d'abord lundi, puis jeudi, maintenant « prochainement ».",
            "Toujours pas reçu {objet}, le suivi est bloqué sur « en préparation » depuis {duree}.",
            "Délai de livraison [largement|complètement] dépassé, {duree} d'attente pour {objet}.",
            "{objet_cap} devait arriver [avant le week-end|pour l'anniversaire de ma fille|le {date_past}], je l'attends toujours.",
            "On m'annonce encore [15 jours|10 jours|trois semaines] de délai supplémentaire pour {objet}, [inadmissible|c'est une blague].",
            "Livraison en retard, [encore une fois|comme d'habitude], le transporteur n'a même pas pris le colis en charge.",
        ],
        "telecom": [
            "Ma ligne devait être activée il y a {duree}, toujours rien.",
            "Activation de la fibre en attente depuis {duree}, on me dit juste de patienter.",
            "Ma box devait arriver sous 5 jours, ça fait {duree} que je l'attends.",
            "La mise en service de mon abonnement est repoussée depuis {duree}, je n'ai toujours pas de ligne.",
            "Raccordement fibre [annoncé|prévu] pour début {mois_past}, [toujours en attente|rien n'a bougé].",
            "Ma carte SIM commandée le {date_past} n'est toujours pas arrivée.",
        ],
        "energie": [
            "La mise en service de l'électricité dans mon nouveau logement n'est toujours pas faite après {duree}.",
            "Emménagé{e_c} le {date_past}, toujours pas de compteur activé, la mise en service est « en attente ».",
            "Mon raccordement gaz prévu en [septembre|octobre] a déjà pris {duree} de retard.",
            "Le raccordement de mes panneaux solaires au réseau traîne depuis {duree}.",
        ],
        "banque": [
            "Ma nouvelle carte bancaire devait arriver sous 7 jours, ça fait {duree}.",
            "Mon chéquier commandé le {date_past} n'est toujours pas arrivé.",
            "Compte ouvert mais ma carte n'est toujours pas là après {duree}.",
        ],
        "transport": [
            "Mon pass commandé le {date_past} n'est toujours pas arrivé, je dois racheter des tickets chaque jour.",
            "Carte d'abonnement toujours pas reçue après {duree}.",
            "Ma carte de réduction [commandée|payée] le {date_past} n'est toujours pas arrivée, je voyage plein tarif en attendant.",
        ],
    },
    "colis_perdu": {
        "ecommerce": [
            "Mon colis est marqué « livré » [depuis le {date_past}|depuis 3 jours] mais je n'ai rien reçu.",
            "Colis perdu : le transporteur dit l'avoir déposé, [personne ne l'a vu|il n'est ni chez moi ni chez les voisins].",
            "Commande jamais reçue, le suivi indique « livré en point relais » mais le point relais ne l'a pas.",
            "Ma commande a été livrée chez [le voisin|une autre adresse|quelqu'un d'autre], impossible de la récupérer.",
            "{objet_cap} n'est jamais arrivé{e}, le colis a disparu [entre l'entrepôt et chez moi|quelque part].",
            "Le livreur a signé à ma place et le colis est introuvable.",
            "Suivi bloqué depuis {duree} puis « colis perdu », et c'est tout.",
            "Ma {ref_commande} est [introuvable|perdue], le transporteur se renvoie la balle avec vous.",
            "Colis déclaré livré alors que [j'étais chez moi toute la journée|personne n'a sonné], rien dans ma boîte.",
        ],
        "telecom": [
            "Ma box [n'est jamais arrivée|a été perdue par le transporteur], le suivi indique « livrée » mais je n'ai rien.",
            "Mon nouveau téléphone a été livré chez [un voisin|quelqu'un d'autre] que je ne connais pas, je ne l'ai jamais eu.",
            "Carte SIM jamais reçue, [le courrier s'est perdu|perdue dans la nature].",
        ],
        "banque": [
            "Ma carte bancaire a été envoyée mais je ne l'ai jamais reçue, perdue dans le courrier.",
            "Chéquier jamais reçu, la banque dit l'avoir envoyé [le {date_past}|il y a {duree}].",
            "Le courrier avec mon code de carte n'est jamais arrivé, [perdu|égaré] en route.",
        ],
    },
    "produit_non_conforme": {
        "ecommerce": [
            "{objet_cap} est arrivé{e} cassé{e}, [le carton était éventré|emballage déchiré].",
            "Ce n'est pas le bon article : j'ai commandé [du 42|du noir|la version 128 Go] et j'ai reçu [du 39|du blanc|la version 64 Go].",
            "Il manque des pièces : [pas de télécommande|pas de notice|la moitié des vis manque|pas de chargeur] dans le carton.",
            "{objet_cap} est arrivé{e} rayé{e} et [cabossé{e}|abîmé{e}], on dirait un produit déjà utilisé.",
            "Colis reçu avec un produit différent de celui commandé.",
            "Article non conforme à la description : [la couleur n'a rien à voir|taille bien plus petite que sur la photo].",
            "Livré incomplet : sur [3|4] articles commandés, je n'en ai reçu que deux.",
            "Écran fissuré à l'ouverture du carton, [photos à l'appui|j'ai tout filmé].",
            "Produit défectueux dès le déballage : {appareil} ne s'allume même pas.",
        ],
        "telecom": [
            "La box reçue est défectueuse dès le déballage, [aucun voyant|elle ne s'allume pas].",
            "On m'a envoyé le mauvais modèle de téléphone, ni la bonne couleur ni la bonne capacité.",
            "Colis reçu sans le câble fibre ni le bloc d'alimentation.",
        ],
    },
    "rdv_intervention": {
        ("energie", "telecom", "ecommerce", "assurance"): [
            "{tech_cap} n'est jamais venu, j'ai [posé un jour de congé|attendu toute la journée] pour rien.",
            "Rendez-vous annulé [la veille|le matin même|par SMS une heure avant] sans explication.",
            "[Trois|Deux] rendez-vous reportés [d'affilée|en un mois], je ne peux plus poser de congés.",
            "J'ai attendu de 8h à 18h pour {intervention}, personne n'est venu et personne n'a prévenu.",
            "Le premier créneau disponible pour {intervention} est dans {duree_longue}, c'est inadmissible.",
            "{tech_cap} devait passer le {date_past}, [personne n'est venu|pas de nouvelles], et il faut reprendre un rendez-vous.",
            "On me propose un rendez-vous [dans un mois|dans 5 semaines|fin du mois prochain] pour une intervention urgente.",
            "Rdv repoussé sans arrêt, [ça fait|voilà] {duree} que j'attends {intervention}.",
            "Rendez-vous manqué encore une fois : créneau 8h-12h, {tech} est arrivé à 17h sans prévenir.",
        ],
        "banque": [
            "Mon rendez-vous avec le conseiller a été annulé [trois fois|deux fois] au dernier moment.",
            "Impossible d'avoir un rendez-vous en agence avant {duree_longue}.",
            "Je suis venu{e_c} en agence pour mon rendez-vous, le conseiller n'était pas là et personne ne m'a prévenu{e_c}.",
        ],
    },
    "panne_dysfonctionnement": {
        "telecom": [
            "Plus [d'internet|de connexion|de fibre] depuis {duree_courte}, [la box clignote rouge|voyant rouge sur la box], [impossible de télétravailler|mes enfants ne peuvent pas faire leurs devoirs].",
            "Coupures internet [plusieurs fois par jour|toutes les heures|tous les soirs], c'est [invivable|insupportable].",
            "Le réseau mobile ne passe plus [chez moi|dans tout le quartier] depuis {duree_courte}.",
            "La télé ne marche plus, [écran noir|message « pas de signal »] depuis le {date_past}.",
            "Ma ligne fixe est coupée depuis {duree_courte}, [ma mère âgée ne peut plus appeler|plus de tonalité].",
            "Internet [rame|coupe] sans arrêt, [impossible de regarder une vidéo|la connexion saute toutes les 10 minutes].",
            "Box en panne, [elle redémarre en boucle|plus aucun voyant], j'ai tout essayé.",
            "[3|4|5] jours sans internet [ni téléphone|ni télé], [en plein télétravail|avec deux ados à la maison].",
            "Le wifi tombe [en permanence|toutes les demi-heures], ça ne marche plus du tout.",
        ],
        "energie": [
            "Coupure de courant [depuis ce matin|depuis hier soir|toute la nuit] [sans aucune information|et personne ne sait quand ça revient].",
            "Plus d'eau chaude depuis {duree_courte}, la chaudière est en panne.",
            "[Troisième|Quatrième] coupure d'électricité [cette semaine|ce mois-ci], [le congélateur a tout décongelé|mes appareils ont grillé].",
            "Le compteur disjoncte [sans arrêt|tous les soirs], impossible de lancer une machine.",
            "Plus de gaz depuis {duree_courte}, [on cuisine au camping-gaz|pas de chauffage avec un bébé à la maison].",
            "Coupure de courant [pendant 8 heures|toute la journée] [avec un bébé à la maison|en plein télétravail].",
            "Ma pompe à chaleur installée par {marque} tombe en panne [toutes les semaines|régulièrement].",
        ],
        "transport": [
            "Train supprimé [encore ce matin|pour la 3e fois cette semaine], [sans aucune annonce|sans information].",
            "[Panne de signalisation|Incident technique|Train en panne] en pleine voie, bloqués [1h30|2 heures|45 minutes] sans clim ni info.",
            "Le {ligne} est supprimé un jour sur deux, [impossible d'arriver à l'heure au travail|j'ai eu un avertissement au boulot].",
            "Les portes du train ne s'ouvraient plus, on a raté notre correspondance.",
            "[Trois|Deux] trains supprimés [d'affilée|ce matin], [on s'entasse dans le suivant|quai bondé].",
            "Le bus n'est jamais passé, [j'ai attendu 40 minutes|personne à l'arrêt pour nous prévenir].",
            "Les bornes de validation sont en panne [depuis des semaines|depuis la rentrée].",
            "Panne de la rame [à mi-parcours|au départ], [deux heures de retard|on a dû descendre sur les voies].",
        ],
        "banque": [
            "Ma carte est refusée [en magasin|au distributeur|partout] alors que mon compte est approvisionné.",
            "Le paiement sans contact ne marche plus depuis {duree_courte}.",
            "Les virements ne passent plus depuis [hier|lundi], [mon loyer n'est pas payé|argent bloqué].",
            "Le distributeur a avalé ma carte sans me donner les billets.",
            "Impossible de retirer de l'argent [depuis deux jours|ce week-end], tous les paiements sont bloqués.",
        ],
        "ecommerce": [
            "{appareil_cap} est tombé{ea} en panne [au bout de 2 semaines|après un mois|au bout de 10 jours d'utilisation].",
            "{appareil_cap} ne marche plus [du tout|depuis une semaine], plus rien ne s'allume.",
            "Après [trois|quatre] utilisations, {appareil} ne fonctionne plus.",
        ],
    },
    "qualite_decevante": {
        "telecom": [
            "Le débit est [ridicule|catastrophique], [3 Mb/s|8 Mb/s] le soir, impossible de regarder une série.",
            "Réseau [mauvais|médiocre] dans [tout le village|mon appartement], les appels coupent.",
            "Qualité d'image de la télé [pixelisée|médiocre], pas à la hauteur du prix.",
            "La 4G [ne capte quasiment pas|capte une barre] chez moi.",
        ],
        "energie": [
            "L'entretien de la chaudière a été bâclé en 10 minutes, travail pas à la hauteur.",
            "Les conseils énergie sont génériques et sans intérêt, service pas à la hauteur.",
            "Le thermostat connecté fourni est de très mauvaise qualité, il s'est décollé du mur.",
        ],
        "ecommerce": [
            "{objet_cap} est de [très mauvaise qualité|qualité médiocre], [ça s'use déjà|les finitions sont lamentables].",
            "Produit bas de gamme, rien à voir avec les photos.",
            "Qualité [décevante|franchement décevante] : {appareil} [fait un bruit d'enfer|chauffe énormément].",
            "Pour ce prix, je m'attendais à [bien mieux|mieux qu'un produit en plastique fragile].",
            "Le tissu [bouloche|se déchire] après [deux lavages|une semaine].",
        ],
        "banque": [
            "Le service en agence s'est [dégradé|effondré] depuis qu'on a un conseiller pour 800 clients.",
            "Service bancaire [pas à la hauteur|médiocre] pour ce qu'on paie.",
            "Les conseils en placement sont [d'une pauvreté affligeante|sans intérêt], aucune valeur ajoutée.",
            "Ma carte premium n'offre [quasiment rien|rien de plus] qu'une carte basique, prestation décevante.",
        ],
        "transport": [
            "Trains [toujours|systématiquement] en retard de [10|15|20] minutes [tous les matins|chaque soir].",
            "Rames sales, toilettes [condamnées|hors service], [pas de chauffage|aucun confort].",
            "On voyage debout [tous les jours|chaque matin], wagons bondés, [aucun confort|c'est indigne].",
            "Les retards sont devenus la norme [sur la ligne|sur mon trajet], [aucune ponctualité|jamais à l'heure].",
            "[Sièges déchirés|Wagons sales], le matériel est vétuste.",
            "Bus [toujours en retard|bondés] aux heures de pointe.",
        ],
        "assurance": [
            "Les garanties sont [très limitées|minimales] pour le prix, couverture décevante.",
            "Le véhicule de remplacement fourni était [une épave|sale et en mauvais état].",
            "L'assistance envoyée pour ma fuite a fait un travail [bâclé|d'amateur], prestation indigne.",
            "La mutuelle rembourse [des clopinettes|presque rien] sur l'optique, couverture au rabais.",
        ],
    },
    "appli_site": {
        "*": [
            "[L'appli|L'application {marque}] [plante|bug|crashe] à chaque ouverture [depuis la mise à jour|depuis une semaine].",
            "Impossible de me connecter à {appli}, [mot de passe refusé alors qu'il est bon|message « erreur technique »|page blanche].",
            "Le site est [inaccessible|en maintenance] [depuis ce matin|depuis deux jours|à chaque fois que j'en ai besoin].",
            "{appli_cap} [plante|bloque] au moment de [télécharger ma facture|valider|payer], [c'est insupportable|c'est usant].",
            "Depuis la mise à jour, l'appli [ne s'ouvre plus|se ferme toute seule|affiche un écran blanc].",
            "Le code de validation par SMS n'arrive jamais, impossible d'accéder à {appli}.",
            "Site [lent|ultra lent|très lent] et [bourré de bugs|mal fichu], impossible de [modifier mes coordonnées|trouver ma facture].",
            "{appli_cap} [affiche|me montre] des informations fausses et [plante|se déconnecte] toutes les 2 minutes.",
            "Le bouton [« Valider »|de paiement] ne fonctionne pas sur le site, j'ai essayé sur [trois navigateurs|mon téléphone et mon ordi].",
            "Mon espace client [est vide|n'affiche plus rien|ne montre plus mes factures] depuis {duree_courte}.",
        ],
        "transport": [
            "L'appli {marque} [n'affiche pas les trains supprimés|indique des horaires faux], [impossible de s'y fier|on l'apprend sur le quai].",
            "La réservation en ligne plante au paiement, j'ai perdu [le tarif|mon billet à 29 €].",
        ],
        "banque": [
            "L'appli {marque} refuse de valider les paiements [3D Secure|en ligne], impossible de payer sur internet.",
            "La banque en ligne est [inaccessible|en panne] [tous les lundis matin|depuis la mise à jour].",
        ],
    },
    "reparation_inefficace": {
        "*": [
            "{tech_cap} est passé [le {date_past}|la semaine dernière] mais j'ai [toujours|exactement] le même problème.",
            "Réparation ratée : [deux jours après|le soir même], [la panne est revenue|tout recommence].",
            "[Trois|Quatre|Deux] interventions et rien n'est réglé.",
            "Intervention [inutile|pour rien] : {tech} a [juste redémarré l'appareil|regardé 10 minutes] et rien n'a changé.",
            "Le problème est revenu [dès le lendemain|le jour même] de l'intervention.",
            "Après la réparation, c'est pire qu'avant.",
            "On m'a déclaré le problème « résolu » mais rien n'a changé chez moi.",
            "[Malgré|Après] {nb} passages de technicien, [toujours rien|même souci].",
        ],
        "ecommerce": [
            "{appareil_cap} est revenu{ea} de réparation avec la même panne.",
            "Renvoyé au SAV [deux fois|trois fois], toujours le même défaut.",
        ],
        "assurance": [
            "Le garage agréé a mal réparé ma voiture, la portière ne ferme toujours pas.",
            "Le plombier envoyé par l'assistance n'a rien réparé, la fuite continue.",
        ],
        "telecom": ["Le technicien a changé la box mais [internet coupe toujours|la connexion saute toujours]."],
        "energie": ["Chaudière réparée [deux fois|trois fois] et toujours pas d'eau chaude."],
    },
    "garantie_refusee": {
        "ecommerce": [
            "Le SAV refuse la garantie pour {appareil} [achetée il y a 8 mois|sous prétexte de « mauvaise utilisation »].",
            "Retour refusé alors que je suis dans le délai de [14|30] jours.",
            "On refuse de reprendre le produit défectueux car [l'emballage n'est plus d'origine|j'ai jeté le carton].",
            "Garantie [légale|constructeur] refusée, on me renvoie vers le fabricant.",
            "Demande de retour rejetée sans explication.",
            "Le SAV refuse de prendre en charge la réparation, « casse non couverte ».",
        ],
        "telecom": [
            "Téléphone sous garantie mais prise en charge refusée pour « oxydation » alors qu'il n'a jamais vu l'eau.",
            "On refuse de m'échanger la box défectueuse, soi-disant c'est de ma faute.",
            "L'assurance mobile refuse de couvrir mon écran cassé, [« exclusion »|« casse non accidentelle »] paraît-il.",
            "Retour du téléphone refusé alors que je suis dans le délai de rétractation.",
        ],
        "assurance": [
            "Sinistre non couvert [d'après eux|selon l'assureur] alors que c'était clairement dans mon contrat.",
            "Mon assurance refuse de prendre en charge [le dégât des eaux|le vol de mon vélo|l'incendie de mon garage].",
            "La mutuelle refuse de rembourser [mes lunettes|ma couronne dentaire|mes séances de kiné].",
            "Prise en charge refusée [pour un motif absurde|pour « déclaration tardive »] alors que j'ai déclaré dans les délais.",
            "Dossier de sinistre rejeté [sans justification|en deux lignes], après {anciennete} ans de cotisations.",
        ],
        "banque": [
            "L'assurance de ma carte refuse de couvrir [l'annulation de mon voyage|le vol de mon téléphone], pourtant c'est dans les garanties.",
            "La banque refuse de rembourser [les frais de location de voiture|mon billet d'avion annulé] alors que j'ai payé avec la carte premium.",
            "L'assurance emprunteur refuse de prendre en charge mes échéances pendant mon arrêt maladie.",
        ],
        "energie": [
            "Le contrat d'entretien refuse de couvrir la panne de ma chaudière, « pièce d'usure » paraît-il.",
            "L'assurance dépannage souscrite chez {marque} refuse de prendre en charge la réparation du tableau électrique.",
            "Ma borne de recharge installée par {marque} est sous garantie mais on refuse de la remplacer.",
        ],
    },
    "fraude_securite": {
        "*": [
            "Mon compte client a été piraté, [quelqu'un a changé mon adresse mail|des commandes ont été passées à mon nom].",
            "Faux SMS [au nom de|se faisant passer pour] {marque} qui demande [mes coordonnées bancaires|de payer une facture impayée], vos données ont fuité ?",
            "J'ai reçu un mail de phishing [parfaitement imité|aux couleurs de {marque}] avec mes vraies infos client, c'est inquiétant.",
            "Quelqu'un a utilisé mon compte {marque} pour [passer des commandes|modifier mon RIB] à mon insu.",
        ],
        "banque": [
            "Mon compte a été piraté et {montant} ont été virés [sans mon accord|à mon insu].",
            "Prélèvement non autorisé de {montant} sur mon compte, [je n'ai jamais signé de mandat|je ne connais pas ce créancier].",
            "Ma carte a été utilisée à mon insu [en Lituanie|sur un site de jeux|à Dubaï] alors qu'elle est dans mon portefeuille.",
            "J'ai reçu un faux SMS au nom de {marque} et on m'a débité {montant}.",
            "Des paiements frauduleux sur ma carte [cette nuit|ce week-end], [3|5] opérations que je n'ai jamais faites.",
            "Un faux conseiller m'a appelé{e_c} au nom de {marque} et connaissait toutes mes infos.",
        ],
        "telecom": [
            "Ma ligne a été transférée sur une autre SIM [à mon insu|sans mon accord] et on a vidé mon compte bancaire.",
            "Quelqu'un a souscrit un forfait à mon nom avec mes papiers volés.",
        ],
        "ecommerce": ["Commande passée avec ma carte enregistrée sur mon compte {marque} sans que ce soit moi."],
    },
    "erreur_facturation": {
        "*": [
            "Erreur de facturation [évidente|grossière] sur ma dernière facture : {montant} de trop.",
            "[Facture erronée|Facturation fausse] [encore ce mois-ci|pour le 2e mois de suite], et c'est à moi de tout vérifier.",
            "Double prélèvement ce mois-ci, [j'ai fini à découvert|merci les agios].",
        ],
        "energie": [
            "Régul de {montant_regul} [complètement délirante|totalement injustifiée] alors que ma consommation n'a pas changé.",
            "Facture basée sur une estimation [délirante|fantaisiste] : {index1} kWh facturés alors que mon compteur affiche {index2}.",
            "On me facture [la consommation de l'ancien locataire|deux compteurs|un logement que j'ai quitté].",
            "Ma mensualité a été prélevée deux fois en [septembre|octobre].",
            "Facture de régularisation de {montant_regul} [sans explication|incompréhensible], je n'ai jamais consommé autant.",
            "Mon index de compteur a été mal relevé, [facture erronée|on me facture le double].",
            "[Facturé{e_c} à tort|Facturation erronée] : {montant} pour une période où je n'étais plus client{e_c}.",
            "Relevé de compteur à {index2} kWh envoyé avec photo, et la facture part sur {index1} kWh estimés.",
        ],
        "telecom": [
            "Facturé{e_c} {montant} [pour des appels vers l'étranger que je n'ai jamais passés|pour une option résiliée].",
            "Prélevé{e_c} deux fois ce mois-ci, deux fois {montant}.",
            "On continue de me facturer la location de la box que j'ai rendue [en juin|il y a 3 mois].",
            "Facture erronée : [hors-forfait de {montant}|des SMS surtaxés] que je n'ai jamais consommés.",
            "La remise promotionnelle n'a jamais été appliquée sur mes factures.",
        ],
        "banque": [
            "Prélèvement [en double|effectué deux fois] de {montant} sur mon compte.",
            "Frais d'incident facturés à tort alors que mon compte n'était pas à découvert.",
            "[Agios|Intérêts débiteurs] facturés à tort, mon compte était créditeur.",
            "Mon virement a été débité deux fois.",
        ],
        "ecommerce": [
            "Débité{e_c} deux fois pour la même commande ({montant} x2).",
            "On m'a facturé {montant} [au lieu du prix affiché|alors que la promo était appliquée dans le panier].",
            "Facturé{e_c} pour des articles annulés.",
        ],
        "transport": [
            "Mon abonnement a été prélevé deux fois ce mois-ci.",
            "On m'a débité un billet plein tarif alors que j'ai acheté un tarif réduit.",
        ],
        "assurance": [
            "Cotisation prélevée deux fois [ce trimestre|ce mois-ci].",
            "On me facture la garantie habitation d'un logement que je n'occupe plus.",
        ],
    },
    "prix_eleve": {
        "*": [
            "Beaucoup trop cher pour ce que c'est.",
            "Les prix [ont encore augmenté|augmentent tous les ans] [sans la moindre amélioration|pour le même service].",
            "[Augmentation|Hausse] de [8|10|12|20] % [cette année|au 1er octobre], ça devient [impossible|trop lourd].",
            "Le prix a [explosé|flambé|doublé] en [deux|trois] ans.",
            "Trop cher par rapport à la concurrence, je vais [aller voir ailleurs|partir].",
            "Vous êtes [plus chers|bien plus chers] que [tous vos concurrents|la concurrence] pour un service identique.",
            "Tarifs [abusifs|exorbitants|indécents], [c'est devenu un luxe|je n'arrive plus à suivre].",
        ],
        "energie": [
            "Ma mensualité passe de {mens_bas} à {mens_haut}, c'est [énorme|intenable].",
            "Le prix du kWh a [encore augmenté|augmenté de 10 %], avec mon salaire je n'y arrive plus.",
        ],
        "telecom": [
            "Forfait passé de [19,99|24,99] € à [29,99|34,99] € par mois sans rien de plus.",
            "Abonnement fibre [beaucoup trop cher|hors de prix], {montant} par mois.",
        ],
        "ecommerce": [
            "Les prix ont grimpé, le même article est [20 €|30 %] moins cher ailleurs.",
            "Prix en hausse constante, {marque} n'est plus du tout compétitif.",
        ],
        "banque": [
            "[Cotisation carte|Frais de tenue de compte] passés de [45|60] € à [75|90] € par an, [c'est du vol|abusif].",
        ],
        "transport": [
            "Le billet pour [Lyon|Lille|Bordeaux] à [120|140] € en seconde, c'est [indécent|hors de prix].",
            "L'abonnement mensuel passe à [89|95] €, les usagers trinquent encore.",
        ],
        "assurance": [
            "Ma cotisation [auto|habitation] a augmenté de [12|15|18] % sans aucun sinistre.",
            "Ma mutuelle coûte [120|150] € par mois, c'est devenu hors de prix.",
        ],
    },
    "frais_caches": {
        "*": [
            "Des frais [surprises|cachés] de {frais} apparaissent sur [ma facture|mon relevé] sans que personne ne m'ait prévenu{e_c}.",
            "Frais de dossier de {frais} [jamais annoncés|sortis de nulle part] au moment de la souscription.",
            "[Pénalités|Frais de retard] de {frais} pour [un jour de retard|un prélèvement rejeté à cause de votre erreur].",
            "On me facture des « frais de gestion » de {frais} dont je n'avais jamais entendu parler.",
            "Le prix affiché ne comprenait pas [les frais de service|les frais de mise en service|les frais d'activation] de {frais}.",
            "Frais [imprévus|non annoncés] : {frais} de plus que prévu.",
            "Des frais de {frais} ajoutés [en douce|en catimini] chaque mois, c'est malhonnête.",
            "Frais cachés partout, [chaque mois une nouvelle ligne sur la facture|on découvre toujours un nouveau frais].",
        ],
        "energie": [
            "Frais de mise en service de {frais} facturés alors qu'on m'avait dit « gratuit ».",
            "Des frais de déplacement de {frais} pour un simple relevé de compteur.",
        ],
        "telecom": [
            "Frais d'activation de {frais} découverts sur la première facture.",
            "Frais de « changement d'offre » de {frais}, jamais annoncés.",
        ],
        "ecommerce": [
            "Frais de port [ajoutés au dernier moment|qui apparaissent seulement au paiement] : {frais} pour un petit colis.",
            "Droits de douane de {frais} à payer à la livraison, jamais mentionnés.",
        ],
        "banque": [
            "Commission d'intervention de {frais} prélevée sans aucun courrier.",
            "Frais de [virement international|retrait à l'étranger] de {frais} jamais mentionnés dans la brochure.",
        ],
        "transport": [
            "Frais de [réservation|service] de {frais} ajoutés au moment du paiement.",
            "{frais} de frais pour échanger un billet, jamais annoncés au moment de l'achat.",
        ],
        "assurance": ["Des frais de fractionnement de {frais} ajoutés parce que je paie au mois, jamais annoncés."],
    },
    "remboursement": {
        "*": [
            "Toujours pas remboursé{e_c} des {montant} dus depuis {duree}.",
            "J'attends mon remboursement de {montant} depuis {duree}.",
            "Avoir de {montant} [jamais reçu|toujours pas versé|introuvable].",
            "Trop-perçu de {montant} [jamais rendu|toujours pas remboursé] malgré ma demande.",
            "Remboursement [validé|accepté] [le {date_past}|il y a {duree}] mais toujours rien sur mon compte.",
            "On me dit que le remboursement [est en cours|a été fait], mais je n'ai [rien reçu|pas vu un centime].",
            "{duree_cap} pour rembourser {montant}, [c'est inadmissible|vous faites de la trésorerie sur notre dos].",
            "Je réclame le remboursement de {montant} depuis {duree}, [sans résultat|toujours rien].",
        ],
        "ecommerce": [
            "Article retourné le {date_past}, [réceptionné par l'entrepôt|bien reçu chez vous], toujours pas remboursé.",
            "Commande annulée mais pas remboursée, {montant} dans la nature.",
        ],
        "transport": [
            "Mon billet à {montant} a été annulé par {marque} et je n'ai toujours pas été remboursé{e_c}.",
            "Demande de remboursement déposée il y a {duree}, toujours rien.",
        ],
        "energie": [
            "Mon solde de tout compte de {montant} n'a jamais été remboursé après mon déménagement.",
            "Trop-perçu de {montant} sur ma régul annuelle, toujours rien reçu.",
        ],
        "assurance": [
            "Le remboursement de mon sinistre de {montant} n'est toujours pas versé.",
            "La mutuelle ne m'a toujours pas remboursé mes {montant} de frais dentaires.",
        ],
        "banque": ["Frais prélevés à tort de {montant} toujours pas remboursés malgré l'accord de l'agence."],
    },
    "injoignable": {
        "*": [
            "Impossible de joindre le service client, [45 minutes|une heure|1h20] d'attente puis [ça raccroche|la ligne coupe].",
            "J'ai appelé {nb} fois, [personne ne répond|toujours la même musique d'attente].",
            "Ligne [saturée|toujours occupée], [on vous demande de rappeler plus tard|« tous nos conseillers sont occupés »].",
            "Le chat [ne répond jamais|affiche « aucun conseiller disponible »], et le téléphone est saturé.",
            "Aucun moyen de parler à un humain, juste [un robot|un serveur vocal] qui tourne en boucle.",
            "Service client injoignable [depuis {duree_courte}|depuis des jours], [c'est voulu ou quoi ?|on fait comment ?]",
            "[Plus d'une heure|Deux heures] au téléphone [en attente|pendant ma pause déjeuner] pour finalement être coupé{e_c}.",
            "Le numéro du service client est [surtaxé|payant] et personne ne décroche.",
            "Impossible d'avoir quelqu'un, ni par téléphone ni [en agence|par le chat|par mail].",
        ],
        "banque": ["Mon agence ne répond jamais au téléphone, [ça sonne dans le vide|jamais personne]."],
    },
    "sans_reponse": {
        "*": [
            "Aucune réponse à [mon mail|ma réclamation|mes messages] [du {date_past}|depuis {duree}], malgré [{nb} relances|plusieurs relances].",
            "J'ai envoyé [un recommandé|trois mails|deux courriers] et je n'ai jamais eu de réponse.",
            "Ma réclamation est restée sans suite, [silence total|aucun retour].",
            "[Je relance|Relancé{e_c}] depuis {duree}, [aucun retour|pas un mot|toujours rien].",
            "Le formulaire de contact ne sert à rien, [jamais de réponse|les messages partent dans le vide].",
            "Mail resté sans réponse depuis {duree}, [à croire que personne ne les lit|personne ne lit vos mails ?]",
            "[Troisième|Quatrième] relance, toujours pas de réponse à ma demande.",
            "On ignore [complètement|totalement] ma réclamation.",
        ],
    },
    "conseiller_incompetent": {
        "*": [
            "Chaque conseiller me dit [autre chose|une chose différente], personne ne sait vraiment de quoi il parle.",
            "{conseiller_cap} ne savait pas répondre à [une question simple|ma question] et m'a donné [une mauvaise information|des infos fausses].",
            "Réponses [contradictoires|incohérentes] : [un jour|au téléphone] on me dit oui, [le lendemain|par mail] on me dit non.",
            "Conseiller [mal formé|incompétent] qui [lit un script|ne comprend pas mon problème].",
            "On m'a [mal conseillé{e_c}|mal informé{e_c}] et c'est moi qui en paie les conséquences.",
            "[Trois|Deux] conseillers, autant de réponses différentes.",
            "{conseiller_cap} ne connaissait même pas [vos propres offres|les conditions du contrat|la procédure].",
            "Personne n'est capable de m'expliquer [ma facture|ce qui se passe|pourquoi c'est bloqué].",
        ],
    },
    "accueil_desagreable": {
        "*": [
            "{conseiller_cap} m'a parlé [sur un ton méprisant|comme à un enfant|avec un mépris incroyable].",
            "On m'a raccroché au nez [deux fois|en plein milieu de mon explication].",
            "Accueil [glacial|désagréable] [en agence|au téléphone], aucune empathie.",
            "[Zéro|Aucune] empathie alors que j'expliquais [ma situation difficile|que ma mère est malade|que j'étais sans chauffage avec un bébé].",
            "{conseiller_cap} [a soupiré|levait les yeux au ciel] pendant tout l'échange, [très désagréable|impoli].",
            "Réponse [sèche|condescendante] : « c'est comme ça, [madame|monsieur] ».",
            "Je me suis fait [rembarrer|envoyer balader] quand j'ai demandé [un geste|des explications].",
            "[Impolitesse|Manque de respect] [totale|inadmissible] de la part de [l'agent au guichet|la personne au téléphone].",
        ],
        "transport": [
            "Le contrôleur a été [agressif|odieux] alors que la borne était en panne.",
            "L'agent au guichet [m'a ignoré{e_c}|ne m'a même pas dit bonjour] et m'a parlé sèchement.",
        ],
    },
    "repeter_son_dossier": {
        "*": [
            "À chaque appel je dois [réexpliquer|tout réexpliquer] mon dossier depuis le début.",
            "On me renvoie [d'un service à l'autre|du service technique au service facturation et inversement], personne ne prend la main.",
            "Personne n'a l'historique, je [raconte|répète] la même histoire [à chaque conseiller|pour la {nbieme} fois].",
            "[Transféré{e_c}|Baladé{e_c}] de service en service pendant [une heure|40 minutes], pour finalement revenir au point de départ.",
            "Le service client me dit de voir avec [l'agence|le service technique], qui me renvoie au service client.",
            "[Cinq|Quatre] interlocuteurs différents, et chacun me demande de tout reprendre à zéro.",
            "Aucun suivi : [mon dossier|mon historique] n'est jamais noté, il faut tout répéter.",
            "On se renvoie la balle entre [services|vous et le transporteur|vous et le gestionnaire de réseau] et moi je reste au milieu.",
        ],
    },
    "promesse_non_tenue": {
        "*": [
            "On devait me rappeler [sous 48 h|dans la journée|le lendemain], [personne ne l'a fait|j'attends toujours].",
            "Le geste commercial [promis|annoncé au téléphone] de {frais} n'a jamais été appliqué.",
            "{conseiller_cap} m'avait [promis|assuré] que ce serait réglé [sous 48 h|avant la fin de la semaine], [rien n'a bougé|toujours rien].",
            "Promesse de rappel [non tenue|jamais tenue], [encore une fois|pour la troisième fois].",
            "On m'a promis [un avoir|une remise|un dédommagement] [il y a {duree}|le {date_past}], [je ne l'ai jamais vu|rien sur ma facture].",
            "Aucun des engagements pris au téléphone n'a été tenu.",
            "Vous vous étiez engagés à [corriger ma facture|envoyer un technicien|clôturer le dossier] sous 8 jours, toujours rien.",
            "On m'assure à chaque fois [que c'est en cours|qu'on me rappelle], et rien ne se passe.",
        ],
    },
    "delai_traitement": {
        "*": [
            "Mon dossier est [en cours|« en traitement »] depuis [{duree_longue}|des mois], [aucune avancée|rien ne bouge].",
            "Réclamation ouverte [le {date_past}|il y a {duree_longue}] et toujours pas traitée.",
            "Ça traîne, ça traîne… [{duree_longue}|deux mois] pour une simple [modification|correction].",
            "Délai de traitement [interminable|inacceptable] : {duree_longue} et mon dossier n'est toujours pas clos.",
            "Mon dossier [stagne|n'avance pas] depuis {duree_longue}, on me dit juste qu'il est « en cours ».",
            "Il faut [des semaines|un temps fou] pour traiter la moindre demande.",
            "Toujours en attente du traitement de ma demande du {date_past}.",
            "[Six semaines|Deux mois] pour changer [un RIB|une adresse], c'est [une blague|hallucinant].",
        ],
        "assurance": [
            "Sinistre déclaré [le {date_past}|il y a {duree_longue}], toujours pas traité, [l'expert n'a même pas rendu son rapport|aucune avancée].",
            "Mon dossier dégât des eaux traîne depuis {duree_longue}, [les murs moisissent|je vis dans l'humidité].",
        ],
    },
    "resiliation_difficile": {
        "*": [
            "Impossible de résilier {offre} : [le bouton de résiliation est introuvable|la procédure n'est expliquée nulle part].",
            "J'ai résilié [le {date_past}|il y a {duree}] et je suis toujours prélevé{e_c}.",
            "Ma demande de résiliation [a été ignorée|n'a jamais été prise en compte], [j'ai pourtant envoyé un recommandé|malgré mon courrier].",
            "On refuse ma résiliation [sous prétexte que le formulaire n'est pas le bon|car je dois passer en agence].",
            "Résilier est un parcours du combattant : [recommandé, appels, mails|trois appels et deux courriers], et je suis toujours client{e_c}.",
            "Toujours prélevé{e_c} [deux mois|trois mois] après ma résiliation.",
            "La résiliation en ligne [n'existe pas|ne fonctionne pas], il faut [écrire un courrier|appeler un numéro surtaxé].",
            "J'ai demandé à résilier {offre} [trois fois|à plusieurs reprises], [on me fait tourner en rond|rien n'est fait].",
            "Le conseiller a refusé d'enregistrer ma résiliation et a [tenté de me retenir|voulu me vendre une autre offre] pendant 20 minutes.",
        ],
    },
    "frais_resiliation": {
        "*": [
            "On me réclame {frais_res} de frais de résiliation [alors que je déménage|pour partir].",
            "[Pénalités de départ|Frais de sortie] de {frais_res}, [c'est abusif|du racket].",
            "Résiliation facturée {frais_res}, [c'est scandaleux|pour un simple changement de fournisseur].",
            "Des frais de résiliation de {frais_res} alors que je n'ai plus d'engagement.",
            "Pour partir il faut payer {frais_res}, [on est pris en otage|c'est honteux].",
            "Facture de clôture avec {frais_res} de frais de résiliation anticipée.",
            "On me facture [les mois restants|la fin de l'engagement] soit {frais_res} pour résilier.",
            "Frais de résiliation [exorbitants|injustifiés] : {frais_res} pour un contrat de [6 mois|moins d'un an].",
        ],
        "banque": ["Frais de clôture de compte de {frais_res}, [et de transfert du PEA en plus|pour fermer un simple livret]."],
    },
}

_IRR_SHORT: dict[str, dict] = {
    "demarchage_abusif": {"*": ["appels incessants", "harcèlement commercial", "démarchage abusif",
                                "trop de démarchage", "spam de SMS", "des appels tous les jours",
                                "vente forcée", "arrêtez de m'appeler"]},
    "information_trompeuse": {"*": ["publicité mensongère", "offre trompeuse", "conditions cachées",
                                    "offre pas claire du tout", "pub mensongère",
                                    "on m'a menti à la souscription", "infos trompeuses",
                                    "petites lignes cachées"]},
    "devis_offre": {"*": ["devis jamais reçu", "toujours pas de devis", "aucune proposition chiffrée",
                          "impossible d'avoir un devis", "devis qui n'arrive pas"]},
    "souscription_difficile": {"*": ["souscription compliquée", "impossible de souscrire",
                                     "paiement refusé à la souscription",
                                     "parcours d'inscription trop compliqué",
                                     "trop de justificatifs demandés", "souscription bloquée"]},
    "erreur_contrat": {"*": ["erreur sur le contrat", "option ajoutée sans mon accord", "mauvais contrat",
                             "erreur dans mon dossier", "contrat non conforme", "option jamais demandée"]},
    "retard_livraison": {
        "ecommerce": ["toujours pas livré", "livraison en retard", "retard de livraison",
                      "délai de livraison dépassé", "commande toujours pas arrivée",
                      "livraison interminable"],
        "telecom": ["activation en attente", "mise en service interminable", "box toujours pas livrée",
                    "raccordement en retard"],
        "energie": ["mise en service interminable", "raccordement en retard"],
        "banque": ["carte toujours pas reçue", "chéquier en retard"],
        "transport": ["pass toujours pas reçu"],
    },
    "colis_perdu": {
        "ecommerce": ["colis perdu", "jamais reçu ma commande", "marqué livré mais rien reçu",
                      "colis livré chez le voisin", "commande jamais arrivée", "colis introuvable"],
        "telecom": ["box jamais reçue", "colis perdu", "téléphone jamais reçu"],
        "banque": ["carte jamais reçue", "chéquier perdu dans le courrier"],
    },
    "produit_non_conforme": {
        "ecommerce": ["arrivé cassé", "pas le bon article", "pièces manquantes", "produit abîmé à la livraison",
                      "colis incomplet", "produit non conforme", "reçu endommagé"],
        "telecom": ["box défectueuse à la réception", "mauvais téléphone reçu", "colis incomplet"],
    },
    "rdv_intervention": {
        ("energie", "telecom", "ecommerce", "assurance"): [
            "technicien jamais venu", "rdv annulé", "rendez-vous reporté 3 fois",
            "attendu toute la journée pour rien", "délai de rdv trop long", "intervention reportée"],
        "banque": ["rdv en agence impossible", "rendez-vous annulé au dernier moment"],
    },
    "panne_dysfonctionnement": {
        "telecom": ["plus d'internet", "coupures à répétition", "réseau coupé", "box en panne",
                    "pannes incessantes", "3 semaines sans internet", "connexion qui saute",
                    "wifi qui coupe tout le temps"],
        "energie": ["coupure de courant", "plus d'eau chaude", "coupures à répétition", "chaudière en panne",
                    "plus de gaz", "2 jours sans électricité"],
        "transport": ["trains supprimés", "trains en panne", "bus jamais passé", "panne de signalisation",
                      "suppressions à répétition"],
        "banque": ["carte refusée partout", "virements bloqués", "paiement sans contact en panne"],
        "ecommerce": ["produit tombé en panne", "ne marche plus au bout de 2 semaines"],
    },
    "qualite_decevante": {
        "telecom": ["débit ridicule", "réseau médiocre", "qualité décevante", "connexion lente"],
        "ecommerce": ["mauvaise qualité", "produit bas de gamme", "qualité décevante", "s'use trop vite",
                      "pas à la hauteur"],
        "transport": ["trains toujours en retard", "wagons bondés", "aucun confort", "retards quotidiens",
                      "ponctualité catastrophique"],
        "banque": ["service dégradé", "qualité de service en baisse"],
        "energie": ["prestation bâclée", "service pas à la hauteur"],
        "assurance": ["garanties décevantes", "couverture au rabais"],
    },
    "appli_site": {"*": ["appli qui plante", "site inaccessible", "espace client inutilisable",
                         "impossible de se connecter", "appli buggée", "site nul",
                         "appli catastrophique", "bugs à répétition sur l'appli"]},
    "reparation_inefficace": {"*": ["réparation inefficace", "toujours le même problème après le technicien",
                                    "intervention inutile", "réparation ratée", "rien n'est réglé après 3 passages"]},
    "garantie_refusee": {
        "ecommerce": ["garantie refusée", "retour refusé", "SAV qui refuse tout"],
        "assurance": ["sinistre refusé", "prise en charge refusée", "la mutuelle refuse de rembourser",
                      "sinistre non couvert"],
        "telecom": ["garantie refusée", "échange de box refusé"],
        "banque": ["l'assurance carte refuse de couvrir"],
        "energie": ["panne non couverte par le contrat d'entretien"],
    },
    "fraude_securite": {"*": ["compte piraté", "faux SMS à votre nom", "phishing avec mes vraies infos"],
                        "banque": ["prélèvement non autorisé", "fraude sur ma carte", "arnaque au faux conseiller",
                                   "opérations frauduleuses"],
                        "telecom": ["ligne piratée"]},
    "erreur_facturation": {"*": ["erreur de facturation", "facture fausse", "prélevé deux fois",
                                 "facturé à tort"],
                           "energie": ["régul énorme", "régularisation délirante", "facture erronée",
                                       "double prélèvement", "estimation fantaisiste"]},
    "prix_eleve": {"*": ["trop cher", "prix", "tarifs trop élevés", "augmentations incessantes",
                         "hausse des prix", "beaucoup trop cher", "prix abusifs", "trop cher pour ce que c'est"]},
    "frais_caches": {"*": ["frais cachés", "frais non annoncés", "frais surprise", "frais de dossier abusifs",
                           "pénalités injustifiées", "frais en douce"]},
    "remboursement": {"*": ["toujours pas remboursé", "remboursement trop lent", "avoir jamais reçu",
                            "j'attends mon remboursement", "remboursement qui n'arrive pas",
                            "trop-perçu jamais rendu"]},
    "injoignable": {"*": ["service client injoignable", "impossible de joindre quelqu'un",
                          "attente interminable au téléphone", "personne ne répond", "ligne saturée",
                          "aucun humain joignable", "1h d'attente au tel"]},
    "sans_reponse": {"*": ["aucune réponse", "réclamation ignorée", "jamais de réponse à mes mails",
                           "aucun retour malgré relances", "silence radio", "pas de réponse à ma réclamation"]},
    "conseiller_incompetent": {"*": ["conseillers incompétents", "réponses contradictoires",
                                     "chacun dit autre chose", "mal informé", "personne ne sait répondre",
                                     "conseillers mal formés"]},
    "accueil_desagreable": {"*": ["conseiller désagréable", "aucune empathie", "raccroché au nez",
                                  "accueil détestable", "personnel méprisant", "agent impoli"]},
    "repeter_son_dossier": {"*": ["il faut tout réexpliquer à chaque appel", "renvoyé de service en service",
                                  "personne n'a l'historique", "baladé d'un service à l'autre",
                                  "on se renvoie la balle"]},
    "promesse_non_tenue": {"*": ["rappel promis jamais fait", "promesses non tenues",
                                 "geste commercial jamais appliqué", "on devait me rappeler",
                                 "engagement non tenu"]},
    "delai_traitement": {"*": ["dossier qui traîne", "délai de traitement interminable",
                               "réclamation toujours pas traitée", "dossier en cours depuis des mois",
                               "tout est trop long"]},
    "resiliation_difficile": {"*": ["impossible de résilier", "toujours prélevé après résiliation",
                                    "résiliation ignorée", "résiliation compliquée",
                                    "résiliation jamais prise en compte"]},
    "frais_resiliation": {"*": ["frais de résiliation abusifs", "pénalités de départ", "frais de sortie",
                                "payer pour partir", "frais de résiliation"]},
}

_ENCH_SENT: dict[str, dict] = {
    "conseiller_aimable": {"*": [
        "{conseiller_cap} a été [très aimable|adorable|d'une grande gentillesse] et vraiment à l'écoute.",
        "Merci à {prenom_conseiller} du service client, [très à l'écoute|super sympa|d'une patience exemplaire].",
        "Accueil [chaleureux|très agréable] [en agence|au téléphone], on se sent écouté.",
        "Conseillère [souriante|pro et bienveillante], [elle a pris le temps de tout m'expliquer|un vrai plaisir].",
        "Très bon accueil, [personnel|équipe] [aimable et disponible|souriante et à l'écoute].",
        "{conseiller_cap} a pris le temps de [m'écouter|comprendre ma situation] sans me presser.",
        "[Grande|Beaucoup de] gentillesse de la part de l'équipe, merci.",
        "Un conseiller [humain|compétent et sympathique] qui écoute vraiment, ça fait plaisir.",
    ]},
    "resolution_rapide": {"*": [
        "Problème réglé en [un appel|5 minutes|une journée|moins de 24 h], [impeccable|parfait|bravo].",
        "Ma réclamation a été traitée [très vite|en deux jours|dans la journée], [merci|rien à redire].",
        "[Réactivité|Efficacité] [impressionnante|remarquable] : tout a été corrigé [le jour même|en 48 h].",
        "J'ai eu une réponse [claire|précise] [en moins d'une heure|dans la journée] et le souci était réglé.",
        "Service client [efficace|réactif], [problème résolu|dossier clos] en un rien de temps.",
        "Un seul appel et tout était réglé, [chapeau|top].",
        "Demande traitée [en 24 h|le lendemain], je ne m'y attendais pas.",
        "[Super|Très] réactifs sur le chat, solution trouvée [en 10 minutes|immédiatement].",
    ]},
    "livraison_rapide": {
        "ecommerce": [
            "Commande reçue en [24 h|48 h|moins de 2 jours], [bien emballée|nickel].",
            "Livraison [ultra|super|très] rapide, [le lendemain|en 24 h] !",
            "Commandé le soir, livré le lendemain matin, [bravo|top].",
            "Livraison en avance sur la date prévue, [génial|super].",
            "Livreur ponctuel, colis reçu dans le créneau annoncé.",
            "{objet_cap} livré{e} en [deux jours|48 h] [chrono|pile comme annoncé].",
        ],
        "telecom": [
            "Fibre installée [en une semaine|en 5 jours], [plus rapide que prévu|rien à dire].",
            "Box reçue en 48 h et ligne activée [le jour même|dans la foulée].",
            "Mise en service [super rapide|éclair], [aucune coupure|tout a marché tout de suite].",
        ],
        "energie": [
            "Mise en service de l'électricité [en 24 h|le jour de mon emménagement], [impeccable|parfait].",
            "Contrat activé très rapidement, [aucune coupure|rien à faire de mon côté].",
            "Raccordement de ma maison neuve fait [en avance|plus vite que prévu], [bravo|chapeau].",
        ],
        "banque": ["Carte bancaire reçue en [3|4] jours, compte ouvert [en 10 minutes|en une soirée].",
                   "Nouvelle carte [reçue|arrivée] en 48 h après ma déclaration de perte, [bravo|top].",
                   "Chéquier reçu [en trois jours|très vite], rien à dire."],
        "transport": ["Pass reçu en [2|3] jours, [très pratique|parfait].",
                      "Carte d'abonnement reçue [en 48 h|dès le lendemain], [efficace|impeccable].",
                      "Mon e-billet est arrivé [instantanément|en une minute] par mail, [top|parfait]."],
    },
    "intervention_efficace": {
        "*": [
            "{tech_cap} [était|a été] [ponctuel et efficace|rapide et compétent], [tout fonctionne|problème réglé].",
            "Intervention [efficace|impeccable] : [en une heure|en 30 minutes] tout était réparé.",
            "Technicien [au top|très pro], il a [tout expliqué|trouvé la panne tout de suite].",
            "Réparation faite [dès le premier passage|du premier coup], merci.",
            "Dépannage [rapide|express] [le jour même|en moins de 24 h], [bravo|super].",
            "[Très bonne|Excellente] intervention, travail propre et soigné.",
        ],
        "assurance": ["L'expert est passé [rapidement|sous 48 h] et le réparateur a fait un travail impeccable."],
    },
    "qualite_produit": {
        "telecom": [
            "[Réseau|Connexion] [excellente|très stable], [jamais une coupure|aucune coupure depuis 2 ans].",
            "Fibre [très rapide|au top], [débit au rendez-vous|900 Mb/s sans souci].",
            "Très bonne couverture réseau, même à la campagne.",
        ],
        "energie": [
            "Électricité verte [et fiable|sans souci], [rien à signaler|je recommande].",
            "Service fiable, [jamais de problème|aucun souci] en [5|8] ans.",
            "Le suivi de conso et les conseils m'ont fait économiser, service de qualité.",
        ],
        "ecommerce": [
            "Produit [de très bonne qualité|conforme et solide], [je recommande|très satisfait].",
            "{objet_cap} est parfait{e}, [qualité au rendez-vous|exactement comme sur la photo].",
            "Articles de qualité, [bien finis|solides], rien à redire.",
        ],
        "banque": ["Banque [sérieuse|fiable], [aucun souci depuis 10 ans|services de qualité].",
                   "Les conseils de placement de ma conseillère m'ont [bien aidé{e_c}|fait gagner de l'argent], service de qualité.",
                   "Carte premium [vraiment utile|au top] en voyage, assurances et assistance de qualité."],
        "transport": [
            "Train [à l'heure|ponctuel] et [confortable|propre], [voyage très agréable|rien à dire].",
            "Trajet [agréable|confortable], wifi qui marche, arrivé à l'heure.",
            "Bus [propres et à l'heure|ponctuels], [chauffeurs prudents|super ligne].",
        ],
        "assurance": [
            "Très bonnes garanties, [couverture complète|je me sens bien protégé{e_c}].",
            "Contrat [complet|clair] et [bien pensé|de qualité].",
            "La mutuelle rembourse [très bien|correctement] l'optique et le dentaire, [top|rien à redire].",
        ],
    },
    "prix_attractif": {"*": [
        "[Prix|Tarifs] [imbattables|très compétitifs|attractifs], [rapport qualité-prix au top|je ne trouve pas moins cher].",
        "Le rapport qualité-prix est [excellent|imbattable].",
        "[Moins cher|Bien moins cher] que mon ancien prestataire, pour [le même service|mieux].",
        "J'économise {eco} depuis que je suis chez {marque}.",
        "Prix [juste|correct] et [sans surprise|transparent].",
        "Tarif [très raisonnable|honnête] pour ce qui est proposé.",
        "Bonne surprise sur le prix, [ma facture a baissé|moins cher que prévu].",
    ]},
    "simplicite_digitale": {
        "*": [
            "[L'appli|L'application {marque}] est [simple|intuitive|très bien faite], [tout se fait en deux clics|je gère tout depuis mon téléphone].",
            "Espace client [clair|bien pensé], [je trouve mes factures facilement|tout est accessible].",
            "Démarches [ultra simples|très simples] en ligne, [pas besoin d'appeler|en 5 minutes c'était fait].",
            "Souscription en ligne [rapide et facile|en quelques minutes], [top|parfait].",
            "Site [clair|pratique] et [rapide|fluide], [rien à redire|très agréable].",
            "J'ai pu [changer mon RIB|modifier mon contrat|télécharger mon attestation] en ligne en 2 minutes.",
            "L'appli [est géniale|fonctionne parfaitement], [notifications utiles|suivi en temps réel].",
        ],
        "transport": ["Billet acheté en [30 secondes|2 clics] sur l'appli, e-billet direct, [pratique|top]."],
        "banque": ["Virements instantanés et appli [ultra fluide|au top], je gère tout [seul|moi-même]."],
    },
    "geste_commercial": {"*": [
        "Geste commercial de {geste} [sans même le demander|proposé spontanément], [merci|agréable surprise].",
        "{marque} m'a offert [{geste}|un mois gratuit] pour [s'excuser du désagrément|compenser le souci], [appréciable|ça fait plaisir].",
        "Petite attention [inattendue|sympa] : {geste} offerts après mon souci.",
        "On m'a accordé un geste commercial [généreux|très correct] de {geste}.",
        "[Agréablement surpris{e_c}|Très agréable surprise] : un avoir de {geste} pour la gêne occasionnée.",
        "[Frais offerts|Frais annulés] [sans discuter|immédiatement] par {conseiller}, chapeau.",
    ]},
}

_ENCH_SHORT: dict[str, dict] = {
    "conseiller_aimable": {"*": ["conseillère très aimable", "personnel à l'écoute", "accueil chaleureux",
                                 "conseillers sympas", "très bon accueil", "équipe adorable",
                                 "service client humain et gentil"]},
    "resolution_rapide": {"*": ["problème réglé rapidement", "réactivité", "efficacité",
                                "réclamation traitée vite", "réponse rapide", "résolu en un appel"]},
    "livraison_rapide": {"ecommerce": ["livraison rapide", "reçu en 24 h", "livraison express", "livré en avance",
                                       "livraison au top"],
                         "telecom": ["installation rapide", "mise en service rapide"],
                         "energie": ["mise en service rapide"], "banque": ["carte reçue vite"],
                         "transport": ["pass reçu vite"]},
    "intervention_efficace": {"*": ["technicien efficace", "intervention rapide", "réparé du premier coup",
                                    "dépannage efficace", "technicien au top"]},
    "qualite_produit": {"telecom": ["réseau fiable", "connexion stable", "fibre au top", "bon réseau"],
                        "energie": ["service fiable", "fournisseur fiable"],
                        "ecommerce": ["produits de qualité", "bonne qualité", "produit conforme et solide"],
                        "banque": ["banque fiable", "services de qualité"],
                        "transport": ["trains à l'heure", "ponctualité", "confort", "bus propres"],
                        "assurance": ["bonnes garanties", "contrat complet"]},
    "prix_attractif": {"*": ["le prix", "prix attractif", "pas cher", "bon rapport qualité-prix",
                             "tarifs compétitifs", "prix", "prix correct"]},
    "simplicite_digitale": {"*": ["appli pratique", "appli simple", "site facile", "tout en ligne facilement",
                                  "démarches simples", "appli au top", "simplicité"]},
    "geste_commercial": {"*": ["geste commercial apprécié", "mois offert", "geste commercial",
                               "avoir offert sans demander", "belle attention"]},
}

# Planted-trend content: rendered like a code, mapped to a truth theme.
_TREND_SENT: dict[str, list[str]] = {
    "x_outage": [
        "Toujours pas d'internet depuis la panne [générale|géante] de {outage_date}, {jours} jours sans connexion !",
        "Panne Nexa dans tout [le secteur|le département|{ville}] depuis le {outage_date}, aucune info sur le rétablissement.",
        "Incident réseau [majeur|général] : plus de fibre ni de mobile depuis {jours} jours.",
        "C'est quand que vous réparez ? [{jours} jours|Presque une semaine] sans internet, [en télétravail|avec des enfants à la maison].",
        "La panne géante continue, le [répondeur|site] dit juste « incident en cours de résolution ».",
        "Box [hors service|en rouge] depuis la panne du {outage_date}, et pas de 4G non plus.",
        "#PanneNexa jour {jours} : [toujours rien|rien ne bouge|on vit comme en 1990].",
        "Plus de réseau mobile ni de fibre [dans tout le quartier|chez tous mes voisins] depuis le {outage_date}.",
        "Coupure générale depuis {jours} jours, [impossible d'appeler les urgences|ma mère sous téléassistance n'a plus de ligne].",
        "Panne réseau chez Nexa depuis {outage_date}, [mon activité d'auto-entrepreneur est à l'arrêt|je perds des clients], qui va payer ?",
        "Internet coupé depuis la grosse panne de {outage_date} à {ville}, [la box clignote|voyant rouge] et le réseau mobile ne passe plus.",
        "Panne géante Nexa : {jours} jours sans fibre, [le télétravail est impossible|les enfants n'ont plus accès à l'ENT].",
    ],
    "x_price": [
        "Ma mensualité Voltéo passe de {mens_bas} à {mens_haut} au 1er septembre, [c'est énorme|inadmissible] !",
        "Hausse de {pct} % du prix du kWh [au 1er septembre|à la rentrée], [merci pour le cadeau|c'est de la folie].",
        "Le courrier annonçant la nouvelle grille tarifaire m'a fait bondir : +{pct} % sur l'abonnement et le kWh.",
        "Avec la hausse de septembre, je paie {mens_haut} par mois pour un T2, [c'est plus possible|trop cher].",
        "Augmentation [brutale|énorme] des tarifs Voltéo à la rentrée, je cherche un autre fournisseur.",
        "Prix de l'électricité en hausse de {pct} % depuis septembre, [je vais partir|je pars à la concurrence].",
        "+{pct} % à la rentrée ?? [Vous vous moquez de qui|Sérieusement] ?",
        "L'offre « prix maîtrisé » augmente de {pct} % en septembre, [rien de maîtrisé là-dedans|belle blague].",
        "J'ai reçu mon nouvel échéancier : {mens_haut} au lieu de {mens_bas}. [Trop cher|Beaucoup trop cher] pour un petit appartement.",
        "Encore une augmentation : [abonnement|kWh] plus cher depuis septembre, [ça suffit|stop].",
        "Depuis la hausse tarifaire du 1er septembre ma facture a pris [25|30|35] € par mois, [je n'y arrive plus|c'est intenable].",
    ],
    "x_points": [
        "Mes points fidélité ont disparu depuis le passage au nouveau programme Shopéo Club+, j'avais {pts} points !",
        "Cagnotte remise à zéro [sans prévenir|du jour au lendemain] : {euros} € de bons d'achat envolés.",
        "Depuis la migration du programme de fidélité, mon solde de points affiche 0.",
        "Où sont passés mes {pts} points fidélité ?? [Cagnotte à zéro|Solde à 0] depuis le changement de programme.",
        "J'ai perdu mon statut Gold et tous mes points avec le nouveau Club+, [{anciennete} ans de fidélité pour rien|merci la fidélité].",
        "Programme de fidélité [migré|basculé] le 26 octobre et ma cagnotte de {euros} € a été effacée.",
        "Les points cumulés depuis {annee} ont [disparu|été effacés] avec la nouvelle carte Club+, personne ne sait les récupérer.",
        "Mes bons d'achat fidélité [ne sont plus valables|ont disparu] depuis le passage à Shopéo Club+, alors qu'ils expiraient en décembre.",
        "Rendez-nous nos points ! La migration de la cagnotte fidélité a tout remis à zéro.",
        "Solde de points passé de {pts} à 0 après la migration du programme de fidélité, c'est du vol.",
        "On m'explique que les anciens points « ne sont pas repris » dans le nouveau programme Club+ ?!",
        "Ma cagnotte fidélité a fondu : {pts} points convertis en {euros_small} € seulement avec le nouveau programme.",
        "Après la bascule vers Shopéo Club+, plus aucune trace de mes points ni de mon statut Gold.",
        "Ma carte fidélité Shopéo Club n'est plus reconnue et ma cagnotte de {euros} € est remise à zéro.",
    ],
}
_TREND_SHORT: dict[str, list[str]] = {
    "x_outage": ["panne générale depuis {jours} jours", "panne géante du réseau", "{jours} jours sans internet ni mobile",
                 "la grosse panne réseau", "panne réseau depuis le {outage_date}", "toujours pas de fibre depuis la panne",
                 "incident réseau interminable", "plus de réseau [à {ville}|dans tout le quartier] depuis {jours} jours"],
    "x_price": ["hausse de {pct} % en septembre", "augmentation de septembre", "mensualité qui explose depuis la rentrée",
                "+{pct} % au 1er septembre", "la hausse des tarifs de septembre", "{mens_haut} par mois depuis la rentrée",
                "mensualité passée de {mens_bas} à {mens_haut}", "augmentation de {pct} % du kWh",
                "[trop cher|beaucoup trop cher] depuis la hausse de septembre", "nouvelle grille tarifaire abusive"],
    "x_points": ["points fidélité disparus", "cagnotte remise à zéro", "mes points fidélité envolés",
                 "statut Gold et points perdus avec Club+", "{pts} points fidélité effacés",
                 "cagnotte de {euros} € disparue avec Club+", "solde de points à zéro depuis la migration",
                 "bons d'achat fidélité perdus"],
}
_TREND_THEME = {"x_outage": "panne_dysfonctionnement", "x_price": "prix_eleve",
                "x_points": "new:" + NEW_THEME_SLUG}


def _resolve(banks: dict[str, dict], applicable: Callable[[str, str], bool]) -> dict[str, dict[str, list[tuple]]]:
    out: dict[str, dict[str, list[tuple]]] = {}
    for code, by in banks.items():
        per: dict[str, list[tuple]] = {s: [] for s in _ALL}
        for key, templates in by.items():
            sectors = _ALL if key == "*" else ((key,) if isinstance(key, str) else key)
            for s in sectors:
                if applicable(code, s):
                    per[s].extend(_compile(t) for t in templates)
        out[code] = per
    return out


def _irr_ok(code: str, sector: str) -> bool:
    return _IRR_W[sector].get(code, 0) > 0


def _ench_ok(code: str, sector: str) -> bool:
    return _ENCH_W[sector].get(code, 0) > 0


_S_IRR = _resolve(_IRR_SENT, _irr_ok)
_SH_IRR = _resolve(_IRR_SHORT, _irr_ok)
_S_ENCH = _resolve(_ENCH_SENT, _ench_ok)
_SH_ENCH = _resolve(_ENCH_SHORT, _ench_ok)
_S_TREND = {k: [_compile(t) for t in v] for k, v in _TREND_SENT.items()}
_SH_TREND = {k: [_compile(t) for t in v] for k, v in _TREND_SHORT.items()}


def _sent_bank(code: str, sector: str) -> list[tuple]:
    if code in _S_TREND:
        return _S_TREND[code]
    if code in _S_IRR:
        return _S_IRR[code][sector]
    return _S_ENCH[code][sector]


def _short_bank(code: str, sector: str) -> list[tuple]:
    if code in _SH_TREND:
        return _SH_TREND[code]
    if code in _SH_IRR:
        lst = _SH_IRR[code][sector]
    else:
        lst = _SH_ENCH[code][sector]
    return lst or _sent_bank(code, sector)


# ---------------------------------------------------------------------------
# Style transforms (customer writing habits). They never change the themes.
# ---------------------------------------------------------------------------

_ACCENT_TABLE = str.maketrans("éèêëàâäîïôöùûüçœÉÈÊÀÂÎÔÙÛÇ", "eeeeaaaiioouuucoEEEAAIOUUC")
_ABBREV = [
    (re.compile(r"\bs'il vous pla[iî]t\b", re.I), "svp"),
    (re.compile(r"\brendez-vous\b", re.I), "rdv"),
    (re.compile(r"\btoujours\b"), "tjs"),
    (re.compile(r"\bproblèmes?\b"), "pb"),
    (re.compile(r"\bbeaucoup\b"), "bcp"),
    (re.compile(r"\baujourd'hui\b"), "auj"),
    (re.compile(r"\bpourquoi\b"), "pk"),
    (re.compile(r"\bquelque chose\b"), "qqch"),
    (re.compile(r"\bparce que\b"), "pcq"),
    (re.compile(r"\bvraiment\b"), "vrmt"),
    (re.compile(r"\bdésolée?\b"), "dsl"),
    (re.compile(r"\btéléphone\b"), "tel"),
    (re.compile(r"\bmessage\b"), "msg"),
    (re.compile(r"\bquelqu'un\b"), "qqn"),
    (re.compile(r"\bc'est\b"), "c"),
    (re.compile(r"\bje suis\b"), "chui"),
    (re.compile(r"\bmaintenant\b"), "mtn"),
    (re.compile(r"\bpersonne\b"), "persone"),
    (re.compile(r"\bd'accord\b"), "dac"),
    (re.compile(r"\bmerci\b", re.I), "mrc"),
]
_CAPS_WORDS = re.compile(r"\b(scandaleux|inadmissible|jamais|toujours|rien|honteux|personne|nul|"
                         r"impossible|trop|encore|aucune?|arnaque|stop|merci|vol|marre)\b", re.I)
_ELONG = re.compile(r"\b(nul|merci|trop|jamais|super|vraiment|marre|génial|top|bravo|rien|long|cher)\b", re.I)
_NEG_EMOJI = ["😡", "🤬", "😤", "🙄", "😭", "💸", "😠", "🤡", "😩", "👎", "😒", "🤯", "💀"]
_POS_EMOJI = ["😍", "🙏", "👍", "❤️", "🔥", "👌", "😊", "💯", "🥰", "✨", "👏"]
_IRONY_EMOJI = ["👏", "🙃", "😂", "🤡", "👌", "🏆", "😂😂", "🙄"]


def _strip_accents(rng: Random, s: str) -> str:
    if rng.random() < 0.6:
        return s.translate(_ACCENT_TABLE)
    # partly: the customer gave up typing accents half-way through
    k = int(len(s) * rng.random())
    return s[:k] + s[k:].translate(_ACCENT_TABLE)


def _abbrev(rng: Random, s: str) -> str:
    for pat, rep in rng.sample(_ABBREV, 8):
        s = pat.sub(rep, s)
    return s


_HANDLE_RE = re.compile(r"(@\w+)")


def _outside_handles(s: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to the text but not to @handles (people keep the case of handles)."""
    parts = _HANDLE_RE.split(s)
    return "".join(p if i % 2 else fn(p) for i, p in enumerate(parts))


def _caps_burst(rng: Random, s: str) -> str:
    r = rng.random()
    if r < 0.12 and len(s) < 400:
        return _outside_handles(s, str.upper) if rng.random() < 0.7 else s.upper()
    if r < 0.5:
        sents = re.split(r"(?<=[.!?])\s+", s)
        i = int(rng.random() * len(sents))
        sents[i] = sents[i].upper()
        return " ".join(sents)
    return _CAPS_WORDS.sub(lambda m: m.group(0).upper() if rng.random() < 0.6 else m.group(0), s)


def _exclaim(rng: Random, s: str) -> str:
    bang = _pick(rng, ["!!!", "!!", "!!!!", " !!!", "!!!!!", " !"])
    s = re.sub(r"(?<=[a-zà-ÿA-Z0-9»)])[.!](?=\s|$)", lambda m: bang if rng.random() < 0.6 else m.group(0), s)
    return s.replace("?", _pick(rng, ["?", "??", "???", " ?!", "?!!"])) if rng.random() < 0.5 else s


def _elongate(rng: Random, s: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        vowels = [i for i, ch in enumerate(w) if ch.lower() in "aeiouéèy"]
        if not vowels:
            return w
        i = vowels[-1]
        return w[:i + 1] + w[i] * rng.randint(2, 5) + w[i + 1:]
    return _ELONG.sub(rep, s, count=2)


_QWERTY_NEAR = {"a": "zq", "e": "rz", "i": "uo", "o": "ip", "u": "yi", "s": "dq", "t": "ry", "n": "bm",
                "r": "et", "l": "km", "m": "nl", "c": "xv", "p": "ol"}


def _typos(rng: Random, s: str) -> str:
    words = s.split(" ")
    n = max(1, len(words) // 25)
    for _ in range(n):
        i = int(rng.random() * len(words))
        w = words[i]
        if len(w) < 5 or not w.isalpha():
            continue
        j = rng.randint(1, len(w) - 2)
        r = rng.random()
        if r < 0.3:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif r < 0.55:
            w = w[:j] + w[j + 1:]
        elif r < 0.75:
            w = w[:j] + w[j] + w[j:]
        else:
            near = _QWERTY_NEAR.get(w[j].lower())
            if near:
                w = w[:j] + near[int(rng.random() * len(near))] + w[j + 1:]
        words[i] = w
    return " ".join(words)


def _emoji(rng: Random, s: str, polarity: str, ironic: bool) -> str:
    pool = _IRONY_EMOJI if ironic else (_POS_EMOJI if polarity == "pos" else _NEG_EMOJI)
    e = _pick(rng, pool)
    if rng.random() < 0.3:
        e = e * rng.randint(2, 3)
    if rng.random() < 0.75:
        return s.rstrip() + " " + e
    return e + " " + s


# probabilities: accents, abbrev, caps, exclaim, typos, emoji, elongate, lower
_STYLE_P = {
    "complaints": (0.07, 0.08, 0.10, 0.18, 0.15, 0.03, 0.02, 0.03),
    "nps": (0.15, 0.15, 0.07, 0.10, 0.15, 0.08, 0.05, 0.22),
    "social": (0.20, 0.28, 0.18, 0.32, 0.20, 0.50, 0.15, 0.20),
}


def _stylize_inner(rng: Random, s: str, source: str, polarity: str, ironic: bool = False) -> str:
    """Local habits: abbreviations, capitals, '!!!', elongations, typos, emojis."""
    pa_, pb, pc, pd, pe, pf, pg, ph = _STYLE_P[source]
    neg = polarity in ("neg", "mixed")
    if rng.random() < pb:
        s = _abbrev(rng, s)
    if neg and rng.random() < pc:
        s = _caps_burst(rng, s)
    if rng.random() < (pd if neg else pd / 2):
        s = _exclaim(rng, s)
    if rng.random() < pg:
        s = _elongate(rng, s)
    if rng.random() < pe:
        s = _typos(rng, s)
    if (ironic and rng.random() < 0.8) or rng.random() < pf:
        s = _emoji(rng, s, polarity, ironic)
    return s


def _stylize_outer(rng: Random, s: str, source: str) -> str:
    """Whole-text habits: no accents, all lower case."""
    pa_, ph = _STYLE_P[source][0], _STYLE_P[source][7]
    if rng.random() < pa_:
        s = _strip_accents(rng, s)
    if rng.random() < ph:
        s = _outside_handles(s, str.lower) if rng.random() < 0.7 else s.lower()
        if rng.random() < 0.5:
            s = s.rstrip(".")
    return s


def _stylize(rng: Random, s: str, source: str, polarity: str, ironic: bool = False) -> str:
    return _stylize_outer(rng, _stylize_inner(rng, s, source, polarity, ironic), source)


# ---------------------------------------------------------------------------
# Code choice
# ---------------------------------------------------------------------------

_IRR_PICK = {s: _Weighted(_IRR_W[s].items()) for s in _ALL}
_ENCH_PICK = {s: _Weighted(_ENCH_W[s].items()) for s in _ALL}
_SECOND_PICK = {s: _Weighted((c, w * (2.2 if IRRITANT_STAGE[c] == "service_client" else 1.0))
                             for c, w in _IRR_W[s].items()) for s in _ALL}


def _pick_irritants(rng: Random, sector: str, k: int, exclude: frozenset = frozenset(),
                    forced: Sequence[str] = ()) -> list[str]:
    codes = list(forced)
    tries = 0
    while len(codes) < k and tries < 50:
        tries += 1
        pool = _IRR_PICK[sector] if not codes else _SECOND_PICK[sector]
        c = pool.pick(rng)
        if c in codes or c in exclude:
            continue
        codes.append(c)
    return codes


def _pick_enchantements(rng: Random, sector: str, k: int) -> list[str]:
    codes: list[str] = []
    tries = 0
    while len(codes) < k and tries < 50:
        tries += 1
        c = _ENCH_PICK[sector].pick(rng)
        if c not in codes:
            codes.append(c)
    return codes


def _theme(code: str) -> str:
    return _TREND_THEME.get(code, code)


def _sent(rng: Random, code: str, ctx: _Ctx) -> str:
    return _render(rng, _pick(rng, _sent_bank(code, ctx.sector)), ctx)


_NOT_FACTS = frozenset({"arrêtez de m'appeler", "mal informé", "on devait me rappeler", "payer pour partir",
                        "trop cher pour ce que c'est", "pas à la hauteur", "chacun dit autre chose",
                        "offre pas claire du tout", "tout est trop long", "on se renvoie la balle"})


def _short(rng: Random, code: str, ctx: _Ctx, min_len: int = 0) -> str:
    """A short phrase; with ``min_len`` (ironic frames) only phrases that state a fact."""
    bank = _short_bank(code, ctx.sector)
    for _ in range(8):
        s = _render(rng, _pick(rng, bank), ctx)
        if len(s) >= min_len and not (min_len and s in _NOT_FACTS):
            return s
    return _render(rng, _pick(rng, _sent_bank(code, ctx.sector)), ctx).rstrip(".!")


# ---------------------------------------------------------------------------
# Complaint texts
# ---------------------------------------------------------------------------

_C_OPEN = [_compile(t) for t in [
    "Bonjour,", "Bonjour,", "Bonjour,", "Madame, Monsieur,", "Madame, Monsieur,", "Bonsoir,",
    "Bonjour Madame, Monsieur,", "Objet : réclamation", "Objet : [réclamation|contestation|plainte] concernant {offre}",
    "Bonjour, je vous contacte au sujet de {offre}.", "Bonjour, je me permets de vous écrire concernant {offre}.",
    "Je vous écris [une nouvelle fois|encore une fois] au sujet de {offre}.",
    "Bonjour, client{e_c} depuis {anciennete} ans, je suis [très|extrêmement] [déçu{e_c}|mécontent{e_c}].",
    "Réclamation concernant {offre}.", "Bonjour à vous,", "Madame, Monsieur, je vous écris car je suis à bout.",
    "Bonjour, [voici|je reviens vers vous pour] ma [réclamation|demande].", "Re-bonjour,",
]]
_C_CONTEXT = {
    "energie": ["Je suis {client_e} chez {marque} depuis {anciennete} ans[ et je n'ai jamais eu de problème jusqu'ici| sans histoire|].",
                "J'ai emménagé dans un [T2|T3|pavillon] à {ville} en [juin|juillet|août].",
                "Mon compteur affiche {index2} kWh au {date_past}.",
                "Je suis [seul{e_c}|retraité{e_c}|mère de deux enfants] et je chauffe à l'électricité."],
    "telecom": ["Je suis abonné{e_c} à la fibre {marque} depuis {anciennete} ans.",
                "Je télétravaille [3 jours par semaine|deux jours par semaine|à temps plein].",
                "J'ai souscrit {offre} en [juin|juillet|août|septembre] en boutique à {ville}."],
    "ecommerce": ["J'ai passé commande le {date_cmd} ({ref_commande}) pour un montant de {montant}.",
                  "Je commande régulièrement chez vous depuis {anciennete} ans.",
                  "J'ai commandé {objet} sur votre site le {date_cmd}."],
    "banque": ["Je suis {client_e} de l'agence de {ville} depuis {anciennete} ans.",
               "J'ai un compte chez {marque} depuis {annee}."],
    "transport": ["Je prends le {ligne} tous les jours pour aller travailler.",
                  "J'ai un abonnement annuel depuis {anciennete} ans, je fais {ville}-centre tous les jours."],
    "assurance": ["Assuré{e_c} chez vous depuis {anciennete} ans sans aucun sinistre.",
                  "J'ai déclaré un sinistre [dégât des eaux|vol|bris de glace] le {date_past}."],
}
_C_CONTEXT = {s: [_compile(t) for t in v] for s, v in _C_CONTEXT.items()}
_C_FEEL = {
    "*": ["Je suis à bout.", "J'en ai vraiment marre de cette situation.", "C'est inadmissible pour une entreprise de votre taille.",
          "Je n'en dors plus.", "Je suis extrêmement déçu{e_c} par votre service.", "Franchement, c'est honteux.",
          "Je me sens complètement abandonné{e_c}.", "Ça commence à me coûter cher en temps et en argent.",
          "Je ne comprends pas comment une telle situation est possible.", "Ras-le-bol !",
          "Cela fait {duree} que ça dure.", "Je commence à avoir de sérieux doutes sur votre sérieux.",
          "Vous imaginez bien que je suis très en colère.", "J'ai l'impression de parler à un mur."],
    "energie": ["Avec l'hiver qui arrive, je suis très inquiet{e_c}.", "Je suis au RSA, je ne peux pas payer une telle somme.",
                "J'ai un enfant asthmatique et on a besoin de chauffage."],
    "telecom": ["Je travaille de chez moi et je perds de l'argent chaque jour.", "Mes enfants ne peuvent plus faire leurs devoirs."],
    "ecommerce": ["C'était un cadeau, et je n'ai rien à offrir.", "J'ai payé rubis sur l'ongle, j'attends le même sérieux de votre part."],
    "banque": ["Je suis à découvert à cause de vous.", "Je n'ai plus confiance dans ma banque."],
    "transport": ["Mon employeur commence à me faire des remarques.", "Je paie un abonnement pour un service qu'on n'a pas."],
    "assurance": ["Je paie mes cotisations depuis des années pour rien.", "Ma famille vit dans des conditions difficiles en attendant."],
}
_C_FEEL = {s: [_compile(t) for t in _C_FEEL["*"] + _C_FEEL.get(s, [])] for s in _ALL}
_C_TIMELINE = [_compile(t) for t in [
    "J'ai contacté vos services le {date_past} [par téléphone|par mail|via le chat|en agence].",
    "Le {date_past}, j'ai [appelé|écrit] une première fois pour signaler le problème.",
    "J'ai fait une première réclamation le {date_past} [(dossier {numclient})|par écrit|en ligne].",
    "Depuis le {date_past}, [la situation n'a pas évolué|rien n'a changé|tout empire].",
    "Je vous ai [déjà] écrit [le {date_past}|il y a {duree}] à ce sujet.",
    "Pour rappel, tout a commencé [le {date_past}|il y a {duree}].",
    "[Après|Suite à] mon appel du {date_past}, on m'a demandé d'envoyer un mail, ce que j'ai fait.",
    "J'ai [envoyé|joint] [toutes les photos|tous les justificatifs|les captures d'écran] le {date_past}.",
]]
_C_CONNECT = ["De plus, ", "En plus, ", "Et pour couronner le tout, ", "Par ailleurs, ", "Et en plus de ça, ",
              "Autre chose : ", "Ensuite, ", "", "", "Enfin, ", "Autre problème : "]
_C_EFFORT = [_compile(t) for t in [
    "J'ai déjà appelé {nb} fois.", "C'est mon {nbieme} courrier.", "J'ai dû me déplacer en agence [deux fois|à deux reprises].",
    "J'ai perdu [une demi-journée|des heures] avec ce dossier.", "J'ai déjà fait [trois|quatre] réclamations écrites.",
    "Je vous ai déjà envoyé toutes les pièces justificatives [deux fois|à plusieurs reprises].",
]]
_C_DEMAND_MONEY = [_compile(t) for t in [
    "Je demande [le remboursement|le remboursement intégral] de {montant}.",
    "Je vous demande de me rembourser [au plus vite|sous 8 jours] les sommes prélevées à tort.",
    "Merci de procéder au remboursement et de m'envoyer une facture rectifiée.",
]]
_MONEY_CODES = frozenset({"erreur_facturation", "remboursement", "frais_caches", "frais_resiliation",
                          "fraude_securite", "resiliation_difficile"})
_C_DEMAND = [_compile(t) for t in [
    "Merci de [faire le nécessaire|régulariser la situation] [rapidement|au plus vite|sous 8 jours].",
    "Je souhaite [une réponse écrite|être rappelé{e_c}] [rapidement|dans les plus brefs délais].",
    "Je demande un geste commercial à la hauteur du préjudice.", "Merci de corriger cela au plus vite.",
    "J'attends une solution [concrète|rapide], pas un énième mail automatique.",
    "Je vous demande de traiter ma demande en priorité.",
]]
_C_ESCAL = [_compile(t) for t in [
    "Sans réponse de votre part sous 15 jours, je saisirai le médiateur.",
    "Je vais [saisir le médiateur|contacter une association de consommateurs|porter plainte].",
    "Si rien n'est fait, je résilie.", "Je n'hésiterai pas à [en parler autour de moi|laisser des avis partout].",
    "C'est mon dernier courrier avant [le médiateur|une action en justice].",
    "Je me réserve le droit de saisir la DGCCRF.",
]]
_C_CLOSE = ["Cordialement,", "Cordialement", "Bien cordialement,", "Salutations.", "Merci d'avance.",
            "Dans l'attente de votre retour,", "Veuillez agréer, Madame, Monsieur, mes salutations distinguées.",
            "Bonne journée.", "Merci.", "Cdlt", "Bien à vous,"]
_C_PII = {
    "numclient": [_compile(t) for t in ["Mon {numclient}.", "Pour rappel, {numclient}.", "Ref : {numclient}",
                                         "({numclient})", "{numclient_cap}."]],
    "tel": [_compile(t) for t in ["Vous pouvez me joindre au {tel}.", "Rappelez-moi au {tel} [svp|s'il vous plaît|après 18h].",
                                   "Tél : {tel}", "Mon numéro : {tel}"]],
    "email": [_compile(t) for t in ["Mon adresse mail : {email}", "Répondez-moi sur {email} svp.",
                                     "Merci de m'écrire à {email} car je ne reçois pas vos mails."]],
    "iban": [_compile(t) for t in ["Mon IBAN pour le remboursement : {iban}", "Voici mon RIB : {iban}",
                                    "Le prélèvement est passé sur mon compte {iban}."]],
    "carte": [_compile(t) for t in ["Il s'agit de ma carte {carte}.", "Carte concernée : {carte}"]],
    "nir": [_compile(t) for t in ["Mon numéro de sécurité sociale : {nir}.", "N° sécu {nir}"]],
}
_C_NEUTRAL = [_compile(t) for t in [
    "Bonjour, est-ce que je peux changer la date de prélèvement de {offre} ?",
    "Je souhaiterais connaître les démarches pour [un changement d'adresse|ajouter un co-titulaire|modifier mon RIB].",
    "Pouvez-vous m'envoyer une attestation [de contrat|de domicile|de paiement] ?",
    "Je déménage le {date_future} et voudrais transférer {offre}, merci de m'indiquer comment faire.",
    "Pas de souci avec {offre}, je voulais juste signaler un changement d'adresse.",
    "Aucun problème à signaler, simple question : est-il possible de recevoir mes factures par courrier ?",
    "Bonjour, je voudrais savoir si {offre} peut être mis au nom de ma fille.",
    "Question : si je pars [trois mois|six mois] à l'étranger, est-ce que je peux suspendre {offre} ?",
    "Merci de me rappeler pour faire le point sur {offre}, je n'ai pas de réclamation particulière.",
]]
_C_POSITIVE_OPEN = ["Bonjour, pour une fois je vous écris pour vous remercier.", "Bonjour,",
                    "Je tenais à vous faire un retour positif.", "Bonjour, un petit mot pour dire merci."]
_AGENT_PREFIX = ["Client{e_c} appelle : ", "Appel entrant - ", "Le client signale : ", "Note conseiller : ",
                 "Transcription appel : ", "Appel du client{e_c} : "]
_AGENT_PREFIX = [_compile(t) for t in _AGENT_PREFIX]


def _c_whole(rng: Random, ctx: _Ctx, polarity: str, enchs: list[str]) -> str:
    """Complete short texts: an information request (neutral) or a thank-you letter (pos)."""
    if polarity == "neutral":
        body = _render(rng, _pick(rng, _C_NEUTRAL), ctx)
        if rng.random() < 0.5:
            body += " " + _pick(rng, ["Merci.", "Cordialement.", "Merci d'avance.", "Bonne journée"])
        return body
    parts = [_pick(rng, _C_POSITIVE_OPEN)]
    parts += [_sent(rng, c, ctx) for c in enchs]
    parts.append(_pick(rng, ["Merci encore.", "Bravo à toute l'équipe.", "Continuez comme ça.", "Merci !"]))
    return " ".join(parts)


def _c_head(rng: Random, ctx: _Ctx) -> list[str]:
    head = []
    if rng.random() < 0.8:
        head.append(_render(rng, _pick(rng, _C_OPEN), ctx))
    if rng.random() < 0.55:
        head.append(_render(rng, _pick(rng, _C_CONTEXT[ctx.sector]), ctx))
    if len(head) == 2 and head[0].endswith(","):
        if rng.random() < 0.6:
            return head
        return [head[0] + " " + _low(head[1])]
    return [" ".join(head)] if head else []


def _c_core(rng: Random, ctx: _Ctx, codes: list[str], enchs: list[str]) -> str:
    core = []
    long_form = rng.random() < 0.3
    if long_form or rng.random() < 0.2:
        core.append(_render(rng, _pick(rng, _C_TIMELINE), ctx))
    for i, c in enumerate(codes):
        s = _sent(rng, c, ctx)
        if i > 0:
            conn = _pick(rng, _C_CONNECT)
            if conn.endswith("que ") and s[:1].lower() in "aeiouéèêàâîôûh":
                conn = conn[:-2] + "'"
            s = conn + (_low(s) if conn else s)
        core.append(s)
        if i == 0 and rng.random() < (0.7 if long_form else 0.2) and len(codes) == 1:
            for _ in range(4):  # a second, different wording of the same problem
                s2 = _sent(rng, c, ctx)
                if s2[:25] != s[:25]:
                    core.append(s2)
                    break
    if rng.random() < (0.8 if long_form else 0.35):
        core.append(_render(rng, _pick(rng, _C_FEEL[ctx.sector]), ctx))
    if long_form and rng.random() < 0.6:
        core.append(_render(rng, _pick(rng, _C_TIMELINE), ctx))
    if enchs:
        e = _sent(rng, enchs[0], ctx).rstrip(".!")
        core.insert(0, _pick(rng, ["Je reconnais que ", "Pourtant ", "Au départ ", "Certes "]) + _low(e) + ", mais voilà.")
    return " ".join(core)


def _c_tail(rng: Random, ctx: _Ctx, money: bool) -> str | None:
    tail = []
    if rng.random() < 0.3:
        tail.append(_render(rng, _pick(rng, _C_EFFORT), ctx))
    if rng.random() < 0.45:
        tail.append(_render(rng, _pick(rng, _C_DEMAND_MONEY if money and rng.random() < 0.6 else _C_DEMAND), ctx))
    if rng.random() < 0.2:
        tail.append(_render(rng, _pick(rng, _C_ESCAL), ctx))
    return " ".join(tail) if tail else None


def _c_pii(rng: Random, ctx: _Ctx, fraud: bool) -> str | None:
    if rng.random() >= (0.6 if fraud else 0.32):
        return None
    kind = "numclient"
    if fraud and ctx.sector == "banque" and rng.random() < 0.7:
        kind = "carte"
    elif ctx.sector == "banque" and rng.random() < 0.35:
        kind = "iban"
    elif ctx.sector == "assurance" and rng.random() < 0.2:
        kind = "nir"
    elif rng.random() < 0.3:
        kind = _pick(rng, ["tel", "email"])
    return _render(rng, _pick(rng, _C_PII[kind]), ctx)


def _c_foot(rng: Random, ctx: _Ctx) -> str | None:
    foot = []
    if rng.random() < 0.7:
        foot.append(_pick(rng, _C_CLOSE))
    if rng.random() < 0.45:
        foot.append(ctx["signature"])
    if not foot:
        return None
    return "\n".join(foot) if rng.random() < 0.5 else " ".join(foot)


def _c_assemble(rng: Random, paras: list[str]) -> str:
    sep = rng.random()
    joiner = "\n\n" if sep < 0.3 else ("\n" if sep < 0.45 else " ")
    if joiner == " " and len(paras) > 1 and paras[0].endswith(","):
        paras[:2] = [paras[0] + " " + _low(paras[1])]
    return joiner.join(paras)


def _complaint_text(rng: Random, ctx: _Ctx, polarity: str, codes: list[str], enchs: list[str]) -> str:
    """Build a CRM complaint text. ``codes`` are irritant (or trend) codes, ``enchs`` enchantements."""
    if polarity in ("neutral", "pos"):
        return _stylize(rng, _c_whole(rng, ctx, polarity, enchs), "complaints", polarity)
    paras = _c_head(rng, ctx)
    paras.append(_c_core(rng, ctx, codes, enchs))
    for part in (_c_tail(rng, ctx, bool(_MONEY_CODES.intersection(codes))),
                 _c_pii(rng, ctx, "fraude_securite" in codes), _c_foot(rng, ctx)):
        if part:
            paras.append(part)
    return _stylize(rng, _c_assemble(rng, paras), "complaints", polarity)


# ---------------------------------------------------------------------------
# NPS answers
# ---------------------------------------------------------------------------

_NPS_PROMO_GENERIC = ["RAS", "Tout est parfait", "Très satisfait", "Top", "Rien à dire, parfait", "Je recommande",
                      "Très bien", "Excellent", "Satisfaite", "Parfait 👍", "nickel", "Rien à redire", "au top",
                      "Que du bon", "tres bien", "Service impeccable", "Aucun souci depuis des années",
                      "Très satisfait dans l'ensemble", "Bien", "super", "ras", "Content du service"]
_NPS_PASSIVE_GENERIC = ["Correct", "ça va", "Bien dans l'ensemble", "Pas d'avis", "Normal", "Sans plus",
                        "peut mieux faire", "Moyen", "dans la moyenne", "RAS", "Ni bien ni mal", "correct sans plus",
                        "Ça fait le job", "Pas de problème particulier", "bof", "Service correct", "ok"]
_NPS_DETRACT_GENERIC = ["Bof", "Moyen", "Peut mieux faire", "Pas terrible", "Déçu", "Décevant", "Bof bof"]
_NPS_IRONY = [_compile(t) for t in [
    "Merci {marque} pour ce super service : {fait} 👏", "Bravo, {fait}. Vraiment au top 🙃",
    "Génial, {fait}. Quelle efficacité…", "Service 5 étoiles : {fait} 👌",
    "Ah j'adore : {fait}. Magnifique.", "Félicitations, {fait}, champions du monde 🏆",
]]
_SOC_IRONY = [_compile(t) for t in [
    "Merci {marque} pour ce super service : {fait} 👏", "Bravo {handle} ! {fait_cap}. Vraiment au top 🙃",
    "Génial, {fait}. Quelle efficacité…", "Félicitations à {marque}, {fait}, champions du monde 🏆",
    "Encore merci {handle} pour [ça|tout ça] : {fait}, vous êtes les meilleurs 😂",
    "{fait_cap}… merci {marque}, [vous êtes formidables|quel service client de rêve] 🙄",
    "Ah j'adore {marque} : {fait}. Magnifique.", "Service 5 étoiles chez {marque} : {fait} 👌",
    "{handle} le service client de l'année : {fait} 🥇", "Quelle joie d'être client chez {marque}, {fait} 🙂",
]]


_NEG_PREFIX = [_compile(t) for t in [
    "Franchement, ", "Honnêtement, ", "Bon, ", "Alors là, ", "Encore une fois : ", "Bref, ", "Sérieux, ",
    "Petit coup de gueule : ", "Je témoigne : ", "Comme beaucoup, ", "Désolé{e_c} mais ", "Pour info, ",
    "Je le dis calmement : ", "Énorme déception : ", "Voilà où j'en suis : ", "Ça suffit : ", "Bonjour, ",
    "Client{e_c} depuis {anciennete} ans et voilà : ", "Sans surprise, ", "Comme d'hab, ", "Résumé : ",
]]
_NEG_SUFFIX = [_compile(t) for t in [
    "Ça dure depuis {duree}.", "Client{e_c} depuis {anciennete} ans, je n'ai jamais vu ça.", "Je suis à {ville}.",
    "Et ce n'est pas la première fois.", "C'est la {nbieme} fois cette année.", "Apparemment je ne suis pas le seul.",
    "On est en 2026 quand même.", "J'ai deux enfants à la maison.", "Je travaille de chez moi en plus.",
    "Je suis {client_e} fidèle pourtant.", "Mes voisins ont le même souci.", "Je vais en parler autour de moi.",
    "Pas sérieux.", "Vraiment pas normal.", "Je n'en reviens pas.", "Ma patience a des limites.", "Voilà, c'est dit.",
    "Je suis retraité{e_c} et je n'ai pas que ça à faire.", "Ma mère est dans le même cas.", "Quelle galère.",
    "Je réfléchis sérieusement à partir.", "[Épuisant|Usant|Décourageant].", "On marche sur la tête.",
    "À {ville} c'est pareil pour tout le monde.", "Et on me demande d'être patient{e_c}.",
]]
_POS_PREFIX = [_compile(t) for t in [
    "Honnêtement, ", "Je tiens à le dire : ", "Pour une fois, ", "Franchement, ", "Agréablement surpris{e_c} : ",
    "Client{e_c} depuis {anciennete} ans : ", "Bonne expérience : ", "Rien à redire : ", "Très content{e_c} : ",
    "Je le signale car c'est rare : ", "Petit retour positif : ",
]]
_POS_SUFFIX = [_compile(t) for t in [
    "Je recommande à mes proches.", "Ça mérite d'être souligné.", "Client{e_c} depuis {anciennete} ans et toujours satisfait{e_c}.",
    "Rien à voir avec mon ancien fournisseur.", "Continuez comme ça !", "Merci encore.", "Je suis à {ville} et tout roule.",
    "Comme quoi, ça existe encore.", "Top du top.", "J'en parle autour de moi.", "Ça fait du bien.",
    "Merci à toute l'équipe de {ville}.", "Vraiment appréciable.", "[Bravo|Chapeau] !",
]]


def _end(text: str) -> str:
    """Make sure a sentence ends before something is appended to it."""
    t = text.rstrip()
    return t if t[-1:] in ".!?…)" or t[-1:] > "\u2600" else t + "."


def _personalize(rng: Random, ctx: _Ctx, text: str, polarity: str, p: float) -> str:
    """Add a neutral personal touch (tone, tenure, city...) that carries no theme."""
    if rng.random() >= p or len(text) < 20:
        return text
    pos = polarity == "pos"
    r = rng.random()
    if r < 0.4:
        return _render(rng, _pick(rng, _POS_PREFIX if pos else _NEG_PREFIX), ctx) + _low(text)
    out = _end(text) + " " + _render(rng, _pick(rng, _POS_SUFFIX if pos else _NEG_SUFFIX), ctx)
    if r > 0.8:
        out = _render(rng, _pick(rng, _POS_PREFIX if pos else _NEG_PREFIX), ctx) + _low(out)
    return out


def _join_shorts(rng: Random, items: list[str]) -> str:
    if len(items) == 1:
        return _cap(items[0])
    r = rng.random()
    if r < 0.4:
        return _cap(items[0]) + " et " + items[1]
    if r < 0.75:
        return _cap(items[0]) + ", " + items[1]
    return _cap(items[0]) + ". " + _cap(items[1])


def _nps_text(rng: Random, ctx: _Ctx, score: int, forced: Sequence[str] = (),
              exclude: frozenset = frozenset()) -> tuple[str, list[str], str]:
    """Return (text, themes, polarity) consistent with the 0-10 score."""
    s = ctx.sector
    if forced:  # trend rows: detractors talking about the planted story
        codes = list(forced)
        if rng.random() < 0.25:
            codes = _pick_irritants(rng, s, 2, exclude, forced=codes)
        parts = [(_short(rng, c, ctx) if rng.random() < 0.35 else _sent(rng, c, ctx)) for c in codes]
        text = " ".join(_cap(p) if p[-1:] in ".!?" else _cap(p) + "." for p in parts)
        text = _personalize(rng, ctx, text, "neg", 0.5)
        return _stylize(rng, text, "nps", "neg"), [_theme(c) for c in codes], "neg"
    r = rng.random()
    if score >= 9:
        if r < 0.22:
            return _stylize(rng, _pick(rng, _NPS_PROMO_GENERIC), "nps", "pos"), [], "pos"
        enchs = _pick_enchantements(rng, s, 2 if rng.random() < 0.3 else 1)
        if rng.random() < 0.5:
            text = _join_shorts(rng, [_short(rng, e, ctx) for e in enchs])
        else:
            text = " ".join(_sent(rng, e, ctx) for e in enchs)
        if rng.random() < 0.2:
            text = _end(text) + " " + _pick(rng, ["Merci !", "Je recommande.", "Continuez !", "Bravo."])
        text = _personalize(rng, ctx, text, "pos", 0.45)
        return _stylize(rng, text, "nps", "pos"), enchs, "pos"
    if score >= 7:
        if r < 0.25:
            return _stylize(rng, _pick(rng, _NPS_PASSIVE_GENERIC), "nps", "neutral"), [], "neutral"
        if r < 0.65:
            e = _pick_enchantements(rng, s, 1)[0]
            i = _pick_irritants(rng, s, 1, exclude)[0]
            es, is_ = _short(rng, e, ctx), _short(rng, i, ctx)
            form = rng.random()
            if form < 0.4:
                text = f"{_cap(es)} mais {_low(is_)}."
            elif form < 0.7:
                text = f"{_cap(es)}, par contre {_low(is_)}."
            else:
                text = f"{_cap(is_)}, heureusement {_low(es)}."
            text = _personalize(rng, ctx, text, "neg", 0.35)
            return _stylize(rng, text, "nps", "mixed"), [i, e], "mixed"
        if r < 0.85:
            e = _pick_enchantements(rng, s, 1)[0]
            text = _pick(rng, ["{} dans l'ensemble.", "Bien, {}, sans plus.", "{}. Rien d'exceptionnel sinon.",
                               "Plutôt satisfait : {}."]).format(_short(rng, e, ctx))
            return _stylize(rng, _cap(text), "nps", "pos"), [e], "pos"
        i = _pick_irritants(rng, s, 1, exclude)[0]
        text = _pick(rng, ["Globalement ok mais {}.", "Correct, sauf {}.", "Bien, à part {}.", "Rien de grave mais {}.",
                           "Ça va, même si {}.", "Satisfait dans l'ensemble, seul bémol : {}."])
        text = text.format(_low(_short(rng, i, ctx)))
        return _stylize(rng, text, "nps", "mixed"), [i], "neg"
    # detractors
    if r < 0.12:
        i = _pick_irritants(rng, s, 1, exclude)[0]
        return _stylize(rng, _short(rng, i, ctx), "nps", "neg"), [i], "neg"
    if r < 0.18 and score >= 5:
        return _stylize(rng, _pick(rng, _NPS_DETRACT_GENERIC), "nps", "neg"), [], "neg"
    if r < 0.27:
        i = _pick_irritants(rng, s, 1, exclude)[0]
        e = _pick_enchantements(rng, s, 1)[0]
        text = f"{_sent(rng, i, ctx)} {_pick(rng, ['Seul point positif :', 'Heureusement,', 'Dommage car'])} {_low(_short(rng, e, ctx))}."
        text = _personalize(rng, ctx, text, "neg", 0.45)
        return _stylize(rng, text, "nps", "mixed"), [i, e], "neg"
    codes = _pick_irritants(rng, s, 2 if rng.random() < 0.28 else 1, exclude)
    if rng.random() < 0.12:
        fait = _short(rng, codes[0], ctx, min_len=10)
        ctx["fait"] = _low(fait)
        text = _render(rng, _pick(rng, _NPS_IRONY), ctx)
        return _stylize(rng, text, "nps", "neg", ironic=True), codes[:1], "neg"
    if rng.random() < 0.4:
        text = _join_shorts(rng, [_short(rng, c, ctx) for c in codes])
    else:
        text = " ".join(_sent(rng, c, ctx) for c in codes)
    if rng.random() < 0.25:
        text = _end(text) + " " + _pick(rng, ["Je vais partir.", "Je compte résilier.", "Lamentable.", "Inadmissible.",
                                  "Très déçu.", "Fuyez.", "Ras-le-bol."])
    text = _personalize(rng, ctx, text, "neg", 0.5)
    return _stylize(rng, text, "nps", "neg"), codes, "neg"


# ---------------------------------------------------------------------------
# Social posts
# ---------------------------------------------------------------------------

_S_INTERJ_NEG = ["Sérieusement ?", "C'est une blague ?", "J'en peux plus.", "Ras-le-bol !", "Scandaleux.", "Honteux.",
                 "Lamentable.", "Incroyable…", "Vous abusez.", "On fait comment ?", "Franchement…", "Inadmissible.",
                 "Pathétique.", "Je craque.", "J'en ai marre.", "Réveillez-vous !", "Fuyez !", "Quelle honte."]
_S_INTERJ_POS = ["Bravo !", "Merci !", "Top !", "Au top 👌", "Chapeau.", "Rien à dire.", "Je recommande !",
                 "Merci à toute l'équipe !", "Ça fait plaisir."]
_S_TAG_NEG = ["#arnaque", "#colère", "#serviceclient", "#honte", "#raslebol", "#inadmissible", "#jenpeuxplus",
              "#nul", "#boycott", "#servicecientnul", "#scandale"]
_S_TAG_POS = ["#merci", "#satisfait", "#top", "#bravo", "#serviceclient", "#clientcontent"]
_S_TAG_SECTOR = {"energie": ["#facture", "#electricite", "#energie", "#gaz"],
                 "telecom": ["#fibre", "#panne", "#internet", "#4G", "#box"],
                 "ecommerce": ["#colis", "#livraison", "#SAV", "#commande"],
                 "banque": ["#banque", "#fraude", "#CB"],
                 "transport": ["#train", "#retard", "#transports", "#usagers"],
                 "assurance": ["#assurance", "#sinistre", "#mutuelle"]}
_S_NEUTRAL = [_compile(t) for t in [
    "{handle} vous savez quand [sort la nouvelle offre|ouvre l'agence de {ville}|arrive la fibre à {ville}] ?",
    "Quelqu'un a déjà testé {marque} ? [Des avis ?|Ça vaut le coup ?]",
    "{handle} est-ce que [l'offre étudiante|la carte jeune|l'offre famille] existe encore ?",
    "Je viens de passer chez {marque}, on verra bien 🤞",
    "{handle} bonjour, comment on change d'adresse sur l'appli ?",
    "Pas de souci particulier avec {marque} pour l'instant, je découvre.",
]]
_REVIEW_STARS = {"neg": ["★☆☆☆☆", "1/5", "1 étoile c'est déjà trop.", "0/5 si je pouvais.", "★☆☆☆☆"],
                 "mixed": ["★★★☆☆", "3/5", "★★☆☆☆"], "pos": ["★★★★★", "5/5", "★★★★☆"]}


def _social_text(rng: Random, ctx: _Ctx, platform: str, polarity: str, codes: list[str], enchs: list[str],
                 ) -> tuple[str, bool]:
    """Return (text, ironic)."""
    review = platform in ("trustpilot", "google_reviews")
    s = ctx.sector
    ironic = False
    if polarity == "neutral":
        return _stylize(rng, _render(rng, _pick(rng, _S_NEUTRAL), ctx), "social", "neutral"), False
    parts: list[str] = []
    if polarity == "pos":
        for e in enchs:
            parts.append(_sent(rng, e, ctx) if rng.random() < 0.7 else _cap(_short(rng, e, ctx)) + " !")
        if rng.random() < 0.5:
            parts.append(_pick(rng, _S_INTERJ_POS))
        if not review and rng.random() < 0.6:
            parts.insert(0, _pick(rng, ["Merci {handle} !", "{handle}", "Big up {handle}", "Bravo {handle} :"]).format(**ctx))
    elif polarity == "mixed":
        e, c = enchs[0], codes[0]
        parts.append(f"{_cap(_short(rng, e, ctx))} mais {_low(_sent(rng, c, ctx))}")
        if len(codes) > 1:
            parts.append(_sent(rng, codes[1], ctx))
    else:
        if rng.random() < (0.1 if review else 0.24):
            ironic = True
            ctx["fait"] = _low(_short(rng, codes[0], ctx, min_len=10))
            parts.append(_render(rng, _pick(rng, _SOC_IRONY), ctx))
            codes = codes[:1]
        else:
            for i, c in enumerate(codes):
                if review or rng.random() < 0.7:
                    parts.append(_sent(rng, c, ctx))
                else:
                    parts.append(_cap(_short(rng, c, ctx)) + _pick(rng, [".", " !", "…", ""]))
            if review and rng.random() < 0.5:
                parts.append(_pick(rng, ["Je déconseille.", "Fuyez cette entreprise.", "À éviter.",
                                         "Je vais changer dès que possible.", "Très déçu."]))
            if rng.random() < 0.4:
                parts.append(_pick(rng, _S_INTERJ_NEG))
        if not review and rng.random() < 0.75 and "{handle}" not in "".join(parts) and ctx.brand.handle not in "".join(parts):
            if rng.random() < 0.65:
                parts.insert(0, ctx.brand.handle)
            else:
                parts.append(ctx.brand.handle)
    text = " ".join(parts)
    if not ironic:
        text = _personalize(rng, ctx, text, "pos" if polarity == "pos" else "neg", 0.6)
    if review and rng.random() < 0.35:
        text = _pick(rng, _REVIEW_STARS[polarity if polarity in _REVIEW_STARS else "mixed"]) + " " + text
    if not review and rng.random() < 0.45:
        tags = []
        pool = _S_TAG_POS if polarity == "pos" else _S_TAG_NEG
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            t = _pick(rng, _BRAND_TAG[ctx.brand.name]) if r < 0.35 else (
                _pick(rng, _S_TAG_SECTOR[s]) if r < 0.65 else _pick(rng, pool))
            if t not in tags:
                tags.append(t)
        text += " " + " ".join(tags)
    if not review and rng.random() < 0.06:
        other = _private_handle(rng)
        ctx.pii.add("pseudo")
        text = (f"{other} " + _pick(rng, ["pareil chez moi !", "je confirme,", "idem,", "même galère :", "+1"]) + " " + text
                if polarity != "pos" else f"{other} " + text)
    if polarity != "pos" and rng.random() < 0.05:
        text += " " + _pick(rng, ["Contactez-moi au {tel}", "Mon mail : {email}", "dossier {numclient}"]).format_map(ctx)
    text = _stylize(rng, text, "social", polarity, ironic)
    if ironic and rng.random() < 0.2:
        text += " " + _pick(rng, ["mdr", "lol", "ptdr", "😂"])
    if platform == "x" and len(text) > 280:
        text = text[:277].rstrip() + "…"
    return text, ironic


# ---------------------------------------------------------------------------
# Non-French texts (~1.5 %): (lang, text, themes, polarity, sectors or None)
# ---------------------------------------------------------------------------

_FOREIGN: list[tuple[str, str, tuple[str, ...], str, tuple[str, ...] | None]] = [
    ("en", "My internet has been down for {n} days and nobody at {marque} answers the phone. Unacceptable.", ("panne_dysfonctionnement", "injoignable"), "neg", ("telecom",)),
    ("en", "Still waiting for my refund of {amt} euros after {n} weeks. Terrible customer service.", ("remboursement",), "neg", None),
    ("en", "Customer service impossible to reach, I waited over an hour on the phone.", ("injoignable",), "neg", None),
    ("en", "The app keeps crashing every time I try to log in, {n} days now.", ("appli_site",), "neg", None),
    ("en", "Way too expensive for what you get, {amt} euros a month!", ("prix_eleve",), "neg", None),
    ("en", "Great service, the advisor was really friendly and helpful. Thanks {marque}!", ("conseiller_aimable",), "pos", None),
    ("en", "I was charged twice this month, {amt} euros each time.", ("erreur_facturation",), "neg", None),
    ("en", "Sent {n} emails, never got any answer from {marque}.", ("sans_reponse",), "neg", None),
    ("en", "Problem solved in one call, thanks {marque}!", ("resolution_rapide",), "pos", None),
    ("en", "Hidden fees everywhere, {amt} euros I was never told about.", ("frais_caches",), "neg", None),
    ("en", "My parcel never arrived, tracking says delivered {n} days ago.", ("colis_perdu",), "neg", ("ecommerce",)),
    ("en", "Delivered in 24 hours, perfect packaging. Will order again!", ("livraison_rapide",), "pos", ("ecommerce",)),
    ("en", "Train cancelled again this morning, no information at the station. Third time in {n} days.", ("panne_dysfonctionnement",), "neg", ("transport",)),
    ("es", "Llevo {n} semanas esperando el reembolso de {amt} euros.", ("remboursement",), "neg", None),
    ("es", "Imposible contactar con el servicio al cliente, nadie contesta.", ("injoignable",), "neg", None),
    ("es", "La aplicación no funciona, no puedo iniciar sesión desde hace {n} días.", ("appli_site",), "neg", None),
    ("es", "Demasiado caro para lo que ofrecen, {amt} euros al mes.", ("prix_eleve",), "neg", None),
    ("es", "Muy buena atención, el asesor fue muy amable. ¡Gracias!", ("conseiller_aimable",), "pos", None),
    ("es", "Me cobraron dos veces este mes, {amt} euros cada vez.", ("erreur_facturation",), "neg", None),
    ("es", "Nadie responde a mis correos desde hace {n} semanas.", ("sans_reponse",), "neg", None),
    ("es", "El tren fue cancelado otra vez y nadie nos informó.", ("panne_dysfonctionnement",), "neg", ("transport",)),
    ("de", "Seit {n} Wochen warte ich auf meine Rückerstattung von {amt} Euro.", ("remboursement",), "neg", None),
    ("de", "Der Kundenservice ist nicht erreichbar, niemand geht ans Telefon.", ("injoignable",), "neg", None),
    ("de", "Die App stürzt ständig ab, ich kann mich seit {n} Tagen nicht einloggen.", ("appli_site",), "neg", None),
    ("de", "Viel zu teuer für diese Leistung, {amt} Euro im Monat.", ("prix_eleve",), "neg", None),
    ("de", "Sehr freundliche Beratung, vielen Dank an {marque}!", ("conseiller_aimable",), "pos", None),
    ("de", "Mir wurde diesen Monat doppelt abgebucht, zweimal {amt} Euro.", ("erreur_facturation",), "neg", None),
    ("de", "Keine Antwort auf meine E-Mails seit {n} Wochen.", ("sans_reponse",), "neg", None),
    ("de", "Mein Paket ist nie angekommen, laut Sendungsverfolgung wurde es zugestellt.", ("colis_perdu",), "neg", ("ecommerce",)),
    ("it", "Aspetto il rimborso di {amt} euro da {n} settimane.", ("remboursement",), "neg", None),
    ("it", "Servizio clienti irraggiungibile, nessuno risponde al telefono.", ("injoignable",), "neg", None),
    ("it", "L'app si blocca continuamente, impossibile accedere da {n} giorni.", ("appli_site",), "neg", None),
    ("it", "Troppo caro per quello che offrono, {amt} euro al mese.", ("prix_eleve",), "neg", None),
    ("it", "Personale gentilissimo e disponibile, grazie {marque}!", ("conseiller_aimable",), "pos", None),
    ("it", "Mi hanno addebitato due volte lo stesso importo di {amt} euro.", ("erreur_facturation",), "neg", None),
    ("it", "Nessuna risposta alle mie email da {n} settimane.", ("sans_reponse",), "neg", None),
]


def _foreign_text(rng: Random, brand: Brand, langs: Sequence[str]) -> tuple[str, list[str], str, str]:
    pool = [f for f in _FOREIGN if f[0] in langs and (f[4] is None or brand.sector in f[4])]
    lang, tpl, themes, pol, _ = _pick(rng, pool)
    text = tpl.format(n=rng.randint(2, 9), amt=rng.randint(12, 480), marque=brand.name)
    return text, list(themes), pol, lang


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------

_HOUR_W = {
    "complaints": [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 2.0, 3.2, 3.5, 3.2, 2.2, 2.4, 3.2, 3.3, 3.0, 2.6,
                   2.0, 1.4, 1.0, 0.8, 0.6, 0.4],
    "nps": [0.3, 0.15, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.2, 1.5, 1.6, 1.8, 2.6, 2.4, 1.6, 1.5, 1.6, 1.9, 2.4,
            2.8, 3.0, 2.6, 1.6, 0.8],
    "social": [0.8, 0.5, 0.3, 0.15, 0.1, 0.2, 0.6, 1.4, 2.0, 1.8, 1.6, 1.7, 2.2, 2.0, 1.6, 1.6, 1.8, 2.2, 2.6,
               2.8, 3.0, 3.0, 2.4, 1.6],
}
_DAY_W = {
    "complaints": [1.3, 1.15, 1.1, 1.05, 1.0, 0.45, 0.2],
    "nps": [1.05, 1.0, 1.0, 1.0, 0.95, 0.75, 0.7],
    "social": [1.0, 0.95, 0.95, 0.95, 1.0, 1.15, 1.2],
}
_HOUR_PICK = {k: _Weighted(enumerate(v)) for k, v in _HOUR_W.items()}
_DAY_PICK = {k: _Weighted(enumerate(v)) for k, v in _DAY_W.items()}


def _rand_ts(rng: Random, source: str, week_start: date, start: date, end: date,
             not_before: datetime | None = None) -> datetime:
    for _ in range(20):
        d = week_start + timedelta(days=_DAY_PICK[source].pick(rng))
        if start <= d <= end:
            break
    else:
        d = max(start, min(end, week_start))
    ts = datetime.combine(d, time(_HOUR_PICK[source].pick(rng), rng.randint(0, 59), rng.randint(0, 59)),
                          tzinfo=PARIS)
    if not_before is not None and ts < not_before:
        ts = not_before + timedelta(minutes=rng.randint(5, 600))
    return ts


def _iso_week(ts: datetime) -> str:
    y, w, _ = ts.isocalendar()
    return f"{y}-W{w:02d}"


def _fmt_complaint_date(ts: datetime) -> str:
    return f"{ts.day:02d}/{ts.month:02d}/{ts.year} {ts.hour:02d}:{ts.minute:02d}"


def _fmt_nps_date(ts: datetime) -> str:
    return ts.isoformat(timespec="seconds")


def _fmt_social_date(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


@dataclass
class _Row:
    source: str
    ts: datetime
    brand: Brand
    text: str
    themes: list[str]
    polarity: str = "neg"
    planted: str = ""
    defect: str = ""
    is_french: bool = True
    pii: set = field(default_factory=set)
    native: dict = field(default_factory=dict)
    sid: str = ""
    date_str: str | None = None  # overrides the formatted timestamp (bad dates)
    order: int = 0
    locked: bool = False  # original of a near-duplicate: its text must not change


_CHANNEL_PICK = _Weighted([("email", 33), ("téléphone", 20), ("formulaire web", 22), ("chat", 10),
                           ("courrier", 8), ("agence", 7)])
_CATEGORY = {"decouverte": "Commercial", "achat": "Souscription / contrat", "livraison": "Livraison / mise en service",
             "usage": "Technique", "facturation": "Facturation", "service_client": "Relation client",
             "resiliation": "Résiliation"}
_CATEGORIES = list(_CATEGORY.values()) + ["Autre"]
_TOUCHPOINTS = ["appel service client", "agence", "site web", "application", "livraison", "intervention technique",
                "souscription", "facturation", "résiliation", "enquête annuelle", "chat"]
_PLATFORM_PICK = _Weighted([("x", 38), ("facebook", 20), ("instagram", 12), ("trustpilot", 15),
                            ("google_reviews", 15)])
_SCORE_PICK = _Weighted(enumerate([4, 2, 3, 4, 4, 7, 8, 11, 15, 18, 20]))


def _stage_of(theme: str) -> str | None:
    if theme in IRRITANT_STAGE:
        return IRRITANT_STAGE[theme]
    if theme in ENCHANTEMENT_STAGE:
        return ENCHANTEMENT_STAGE[theme]
    return None


def _category(rng: Random, themes: list[str], polarity: str) -> str:
    if rng.random() < 0.12:
        return _pick(rng, _CATEGORIES)
    if polarity == "neutral" or not themes:
        return "Demande d'information"
    if polarity == "pos":
        return "Satisfaction / remerciement"
    st = _stage_of(themes[0])
    if st is None:
        return _pick(rng, ["Autre", "Autre", "Relation client"])
    return _CATEGORY[st]


def _status(rng: Random, ts: datetime, end: date) -> str:
    age = (end - ts.date()).days
    r = rng.random()
    if age > 30:
        return "clos" if r < 0.78 else ("en cours" if r < 0.9 else ("escaladé" if r < 0.95 else "en attente client"))
    if age > 10:
        return "clos" if r < 0.45 else ("en cours" if r < 0.8 else ("en attente client" if r < 0.92 else "escaladé"))
    return "ouvert" if r < 0.45 else ("en cours" if r < 0.8 else ("en attente client" if r < 0.9 else "clos"))


def _touchpoint(rng: Random, brand: Brand, themes: list[str]) -> str:
    if not themes or rng.random() < 0.25:
        return _pick(rng, _TOUCHPOINTS)
    t = themes[0]
    st = _stage_of(t)
    if t in ("rdv_intervention", "reparation_inefficace", "intervention_efficace"):
        return "intervention technique"
    if t in ("appli_site", "simplicite_digitale"):
        return _pick(rng, ["application", "site web"])
    if st == "service_client":
        return _pick(rng, ["appel service client", "chat", "agence"] if brand.sector in ("banque", "assurance")
                     else ["appel service client", "chat"])
    if st in ("decouverte", "achat"):
        return "souscription"
    if st == "livraison":
        return "livraison" if brand.sector == "ecommerce" else "mise en service"
    if st == "facturation":
        return "facturation"
    if st == "resiliation":
        return "résiliation"
    if brand.sector == "transport":
        return "voyage"
    return "utilisation du service"


def _social_counts(rng: Random, planted: str) -> tuple[int, int]:
    likes = int(rng.paretovariate(1.25)) - 1
    if planted == "spike":
        likes = likes * 3 + rng.randint(0, 20)
    likes = min(likes, 4800)
    replies = likes // rng.randint(4, 9) + (rng.randint(0, 3) if rng.random() < 0.4 else 0)
    return likes, replies


def _complaint_content(rng: Random, ctx: _Ctx, exclude: frozenset, forced: Sequence[str] = (),
                       ) -> tuple[str, list[str], str]:
    if forced:
        codes = list(forced)
        if rng.random() < 0.28:
            codes = _pick_irritants(rng, ctx.sector, 2, exclude, forced=codes)
        return _complaint_text(rng, ctx, "neg", codes, []), [_theme(c) for c in codes], "neg"
    r = rng.random()
    if r < 0.04:
        return _complaint_text(rng, ctx, "neutral", [], []), [], "neutral"
    if r < 0.06:
        enchs = _pick_enchantements(rng, ctx.sector, 1 if rng.random() < 0.6 else 2)
        return _complaint_text(rng, ctx, "pos", [], enchs), enchs, "pos"
    codes = _pick_irritants(rng, ctx.sector, 2 if rng.random() < 0.3 else 1, exclude)
    enchs = _pick_enchantements(rng, ctx.sector, 1) if r < 0.10 else []
    return _complaint_text(rng, ctx, "mixed" if enchs else "neg", codes, enchs), codes + enchs, (
        "mixed" if enchs else "neg")


def _agent_note(rng: Random, ctx: _Ctx, text: str) -> str:
    return _render(rng, _pick(rng, _AGENT_PREFIX), ctx) + text.replace("\n\n", " ").replace("\n", " ")


def _make_complaint(rng: Random, brand: Brand, ts: datetime, end: date, exclude: frozenset,
                    forced: Sequence[str] = (), trend: dict | None = None) -> _Row:
    ctx = _Ctx(rng, brand, ts, trend)
    text, themes, pol = _complaint_content(rng, ctx, exclude, forced)
    channel = _CHANNEL_PICK.pick(rng)
    if channel == "téléphone" and rng.random() < 0.45:
        text = _agent_note(rng, ctx, text)
    row = _Row("complaints", ts, brand, text, themes, pol, pii=ctx.pii)
    row.native = {"Canal": channel, "Catégorie": _category(rng, themes, pol), "Statut": _status(rng, ts, end)}
    return row


def _make_nps(rng: Random, brand: Brand, ts: datetime, exclude: frozenset, forced: Sequence[str] = (),
              trend: dict | None = None) -> _Row:
    ctx = _Ctx(rng, brand, ts, trend)
    score = rng.randint(0, 4) if forced else _SCORE_PICK.pick(rng)
    text, themes, pol = _nps_text(rng, ctx, score, forced, exclude)
    row = _Row("nps", ts, brand, text, themes, pol, pii=ctx.pii)
    if rng.random() < 0.03:
        row.text = _end(row.text) + " " + _pick(rng, ["Joignable au {tel}.", "Mon mail {email}", "({numclient})"]).format_map(ctx)
    row.native = {"score": score, "touchpoint": _touchpoint(rng, brand, themes)}
    return row


def _make_social(rng: Random, brand: Brand, ts: datetime, authors: list[str], exclude: frozenset,
                 forced: Sequence[str] = (), trend: dict | None = None) -> _Row:
    ctx = _Ctx(rng, brand, ts, trend)
    platform = _PLATFORM_PICK.pick(rng)
    if forced:
        codes = list(forced)
        if rng.random() < 0.2:
            codes = _pick_irritants(rng, brand.sector, 2, exclude, forced=codes)
        pol, enchs = "neg", []
    else:
        r = rng.random()
        if r < 0.07:
            pol, codes, enchs = "neutral", [], []
        elif r < 0.25:
            pol, codes, enchs = "pos", [], _pick_enchantements(rng, brand.sector, 1 if rng.random() < 0.7 else 2)
        elif r < 0.34:
            pol, codes, enchs = "mixed", _pick_irritants(rng, brand.sector, 1, exclude), _pick_enchantements(
                rng, brand.sector, 1)
        else:
            pol, codes, enchs = "neg", _pick_irritants(rng, brand.sector, 2 if rng.random() < 0.18 else 1, exclude), []
    text, ironic = _social_text(rng, ctx, platform, pol, codes, enchs)
    if ironic:
        codes = codes[:1]
    themes = [_theme(c) for c in codes] + enchs
    row = _Row("social", ts, brand, text, themes, pol, pii=ctx.pii)
    row.native = {"platform": platform, "author": _pick(rng, authors)}
    return row


# ---------------------------------------------------------------------------
# Spec, planted trends and defects
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSpec:
    seed: int = 20261122
    start: date = SAMPLE_START
    end: date = SAMPLE_END
    n_complaints: int = 2500
    n_nps: int = 3000
    n_social: int = 2000
    defects: bool = True


@dataclass
class DemoData:
    complaints: pa.Table
    nps: pa.Table
    social: pa.Table
    truth: pa.Table


COMPLAINT_COLUMNS = ["N° ticket", "Date de création", "Canal", "Catégorie", "Statut", "Marque", "Secteur", "Verbatim"]
NPS_COLUMNS = ["response_id", "submitted_at", "score", "why", "touchpoint", "brand", "sector"]
SOCIAL_COLUMNS = ["post_id", "created_at", "platform", "author", "text", "likes", "replies", "brand", "sector"]
TRUTH_COLUMNS = ["source", "source_id", "sector", "brand", "themes", "planted", "is_french", "defect", "week", "pii"]
_SOURCES = ("complaints", "nps", "social")
_TREND_SPLIT = {"spike": (0.3, 0.2, 0.5), "fade": (0.45, 0.35, 0.2), "new": (0.35, 0.2, 0.45)}


def _weeks(spec: DemoSpec) -> list[date]:
    first = spec.start - timedelta(days=spec.start.weekday())
    out = []
    d = first
    while d <= spec.end:
        out.append(d)
        d += timedelta(days=7)
    return out


def _trend_counts(n_weeks: int, scale: float) -> dict[str, list[tuple[int, int, int]]]:
    """Per trend, per week: (baseline rows, planted rows, week index)."""
    out: dict[str, list[tuple[int, int, int]]] = {"spike": [], "fade": [], "new": []}
    for k in range(n_weeks):
        j = n_weeks - 1 - k  # weeks before the last one
        extra = 27 if j == 1 else (31 if j == 0 else 0)
        out["spike"].append((round(14 * scale), round(extra * scale), k))
        fade = 6 + 56 * math.exp(-3.0 * k / max(1, n_weeks - 1))
        out["fade"].append((0, round(fade * scale), k))
        new = {3: 9, 2: 16, 1: 24, 0: 34}.get(j, 0)
        out["new"].append((0, round(new * scale), k))
    return out


def _defect_plan(spec: DemoSpec) -> dict[str, dict[str, int]]:
    if not spec.defects:
        return {s: {} for s in _SOURCES}

    def r(n: int, rate: float, lo: int = 1) -> int:
        return max(lo, round(n * rate)) if n >= 40 else 0
    nc, nn, ns = spec.n_complaints, spec.n_nps, spec.n_social
    return {
        "complaints": {"empty_text": r(nc, 0.005), "bad_date": r(nc, 0.0016), "exact_duplicate": r(nc, 0.0024),
                       "cross_channel": r(nc, 0.004), "non_french": r(nc, 0.01), "html": r(nc, 0.012),
                       "oversized": 1 if nc >= 40 else 0},
        "nps": {"empty_text": r(nn, 0.005), "bad_date": r(nn, 0.001), "exact_duplicate": r(nn, 0.0013),
                "non_french": r(nn, 0.015), "html": r(nn, 0.0017), "bad_score": min(9, r(nn, 0.003)),
                "score_format": min(7, r(nn, 0.0023))},
        "social": {"empty_text": r(ns, 0.005), "bad_date": r(ns, 0.0015), "exact_duplicate": r(ns, 0.003),
                   "retweet": r(ns, 0.006), "campaign": 16 if ns >= 400 else 0, "non_french": r(ns, 0.0225),
                   "html": r(ns, 0.004)},
    }


_BAD_DATES = {
    "complaints": ["32/13/2026 14:03", "hier", "", "31/11/2026 10:15", "00/00/0000 00:00", "N/A", "demain matin"],
    "nps": ["2026-13-45T25:00:00+01:00", "hier soir", "", "N/A", "2026-02-30T10:00:00+01:00"],
    "social": ["not a date", "", "2026/11/45 10:00", "il y a 3 jours", "NaN"],
}
_BAD_SCORES = ["11", "dix", "-1", "", "11", "12", "-1", "dix", "100"]
_FORMAT_SCORES = [("9/10", 9), ("8.0", 8), ("9/10", 9), ("10/10", 10), ("8.0", 8), ("9/10", 9), ("7.0", 7)]
_EMPTY_TEXTS = ["", " ", "   ", "\n", "\t", " \r\n ", "", "  "]


def _htmlize(rng: Random, text: str) -> str:
    """Leave the remnants of a web form: HTML entities, <br>, <p>."""
    out = text
    if rng.random() < 0.7:
        out = out.replace("é", "&eacute;")
    if rng.random() < 0.5:
        out = out.replace("'", "&#39;")
    if "\n" in out:
        out = out.replace("\n", "<br>" if rng.random() < 0.5 else "<br />\n")
    elif rng.random() < 0.5:
        out = out.replace(". ", ".<br>", 2)
    if rng.random() < 0.4:
        out = out.replace("à", "&agrave;")
    if rng.random() < 0.4:
        out = out.replace(" et ", " &amp; ", 1)
    if rng.random() < 0.5:
        out = out.replace(" ?", "&nbsp;?")
    if out == text or rng.random() < 0.3:
        out = "<p>" + out + "</p>"
    return out


_AUTO_REPLY = [
    "Bonjour, nous accusons bonne réception de votre demande et reviendrons vers vous dans les meilleurs délais.",
    "Bonjour, votre demande a bien été transmise au service concerné. Nous vous remercions de votre patience.",
    "Bonjour, nous sommes désolés pour la gêne occasionnée. Votre dossier est en cours de traitement.",
    "Bonjour, afin de traiter votre demande, merci de nous communiquer votre numéro de contrat.",
]


def _oversized(rng: Random, row: _Row, target: int = 110_000) -> str:
    """The complaint plus the whole pasted e-mail thread, well over 100 kB."""
    ctx = _Ctx(rng, row.brand, row.ts)
    msgs = [row.text]
    d = row.ts
    size = len(row.text.encode("utf-8"))
    i = 0
    while size < target:
        i += 1
        d -= timedelta(minutes=rng.randint(20, 600))
        who = f"Service client {row.brand.name}" if i % 2 else "Moi"
        if i % 2:
            body = _pick(rng, _AUTO_REPLY) + f"\nCordialement,\nLe service client {row.brand.name}"
        else:
            code = _pick(rng, row.themes) if row.themes and row.themes[0] in IRRITANT_STAGE else "sans_reponse"
            body = "Bonjour, je relance encore une fois. " + _sent(rng, code, ctx) + " " + _sent(rng, "sans_reponse", ctx)
        head = (f"\n\n-----Message d'origine-----\nDe : {who}\nEnvoyé : {_WEEKDAYS[d.weekday()]} {d.day} "
                f"{_MONTHS[d.month - 1]} {d.year} {d.hour:02d}:{d.minute:02d}\nObjet : {'RE: ' * min(i, 12)}Réclamation\n\n")
        msgs.append(head + body)
        size += len((head + body).encode("utf-8"))
    row.pii |= ctx.pii
    if "sans_reponse" not in row.themes:
        row.themes.append("sans_reponse")
    return "".join(msgs)


_CAMPAIGN_TEXT = ("{handle} STOP aux trains supprimés sur la ligne {a}–{b} ! Encore 3 suppressions cette semaine "
                  "sans explication, les usagers en ont assez. Partagez ! #RendezNousNosTrains")


def _after(rng: Random, ts: datetime, max_minutes: int, end: date) -> datetime:
    """A moment after ``ts`` (at most ``max_minutes`` later), never past the end of ``end``."""
    limit = datetime.combine(end, time(23, 59), tzinfo=PARIS)
    room = max(1, min(max_minutes, int((limit - ts).total_seconds() // 60)))
    return ts + timedelta(minutes=rng.randint(1, room))


def _clean(r: _Row) -> bool:
    return not r.planted and not r.defect and not r.locked and r.is_french and r.text.strip() != ""


def generate(spec: DemoSpec = DemoSpec()) -> DemoData:
    """Generate the three sources and their ground truth (pure, deterministic)."""
    rows, truth = _generate_rows(spec)
    return DemoData(_complaints_table(rows["complaints"]), _nps_table(rows["nps"], spec.defects),
                    _social_table(rows["social"]), _truth_table(truth))


def _generate_rows(spec: DemoSpec) -> tuple[dict[str, list[_Row]], list[_Row]]:
    if spec.end < spec.start:
        raise ValueError("DemoSpec.end must not be before DemoSpec.start")
    rng = Random(f"voc-demo-{spec.seed}")
    weeks = _weeks(spec)
    nw = len(weeks)
    n_by = {"complaints": spec.n_complaints, "nps": spec.n_nps, "social": spec.n_social}
    total = sum(n_by.values())
    scale = total / 7500 if total else 0
    brand_pick = _Weighted((b, _BRAND_WEIGHT[b.name]) for b in BRANDS)
    authors = [_private_handle(rng) for _ in range(max(50, spec.n_social // 2))]
    nexa, volteo, shopeo = _BY_NAME["Nexa Télécom"], _BY_NAME["Voltéo"], _BY_NAME["Shopéo"]
    exclude_by_brand = {nexa.name: frozenset({"panne_dysfonctionnement"}), volteo.name: frozenset({"prix_eleve"})}
    outage_start = weeks[-2] if nw >= 2 else weeks[0]
    trend_info = {"outage_start": outage_start}
    out: dict[str, list[_Row]] = {s: [] for s in _SOURCES}

    def make(source: str, brand: Brand, ts: datetime, forced: Sequence[str] = ()) -> _Row:
        ex = exclude_by_brand.get(brand.name, frozenset())
        if source == "complaints":
            return _make_complaint(rng, brand, ts, spec.end, ex, forced, trend_info)
        if source == "nps":
            return _make_nps(rng, brand, ts, ex, forced, trend_info)
        return _make_social(rng, brand, ts, authors, ex, forced, trend_info)

    # 1. planted trends (never touched by defects)
    counts = _trend_counts(nw, scale)
    for name, brand, code in (("spike", nexa, "x_outage"), ("fade", volteo, "x_price"), ("new", shopeo, "x_points")):
        split = _Weighted(zip(_SOURCES, _TREND_SPLIT[name]))
        for base, planted, k in counts[name]:
            for i in range(base + planted):
                src = split.pick(rng)
                if len(out[src]) >= n_by[src]:
                    continue
                is_planted = i >= base
                not_before = None
                if name == "spike" and is_planted:
                    not_before = datetime.combine(outage_start, time(7, 0), tzinfo=PARIS)
                ts = _rand_ts(rng, src, weeks[k], spec.start, spec.end, not_before)
                if is_planted:
                    row = make(src, brand, ts, (code,))
                    row.planted = name
                else:  # spike baseline: ordinary breakdowns at the same brand
                    row = make(src, brand, ts, ("panne_dysfonctionnement",))
                out[src].append(row)

    plan = _defect_plan(spec)
    added = {s: sum(plan[s].get(k, 0) for k in ("empty_text", "non_french", "cross_channel", "retweet", "campaign",
                                                "exact_duplicate"))
             for s in _SOURCES}
    week_w = _Weighted((k, 1.0 + 0.15 * math.sin(k * 1.7) + 0.1 * rng.random()) for k in range(nw))

    # 2. background rows
    for src in _SOURCES:
        n_bg = max(0, n_by[src] - len(out[src]) - added[src])
        for _ in range(n_bg):
            brand = brand_pick.pick(rng)
            ts = _rand_ts(rng, src, weeks[week_w.pick(rng)], spec.start, spec.end)
            out[src].append(make(src, brand, ts))

    # 3. added defect rows
    for src in _SOURCES:
        p = plan[src]
        for i in range(p.get("empty_text", 0)):
            brand = brand_pick.pick(rng)
            ts = _rand_ts(rng, src, weeks[week_w.pick(rng)], spec.start, spec.end)
            row = _Row(src, ts, brand, _EMPTY_TEXTS[i % len(_EMPTY_TEXTS)], [], "neutral", defect="empty_text",
                       is_french=False)
            _fill_native(rng, row, spec.end, authors)
            out[src].append(row)
        langs = {"complaints": ("en", "de", "en", "it"), "nps": ("en", "es", "de", "it"),
                 "social": ("en", "es", "it", "de", "en")}[src]
        for _ in range(p.get("non_french", 0)):
            brand = brand_pick.pick(rng)
            ts = _rand_ts(rng, src, weeks[week_w.pick(rng)], spec.start, spec.end)
            text, themes, pol, lang = _foreign_text(rng, brand, langs)
            if src == "social" and rng.random() < 0.6:
                text = f"{brand.handle} {text}"
            row = _Row(src, ts, brand, text, themes, pol, defect="non_french", is_french=False)
            _fill_native(rng, row, spec.end, authors)
            if src == "nps":
                row.native["score"] = rng.randint(9, 10) if pol == "pos" else rng.randint(0, 5)
            out[src].append(row)
        if p.get("cross_channel"):
            cands = [r for r in out["complaints"] if _clean(r) and r.polarity == "neg"]
            for orig in rng.sample(cands, min(p["cross_channel"], len(cands))):
                orig.locked = True
                ts = _after(rng, orig.ts, 2 * 24 * 60, spec.end)
                row = _Row("complaints", ts, orig.brand, orig.text, list(orig.themes), orig.polarity,
                           defect="cross_channel", pii=set(orig.pii))
                other = [c for c in ("email", "formulaire web", "courrier", "chat") if c != orig.native["Canal"]]
                row.native = dict(orig.native, Canal=_pick(rng, other))
                out["complaints"].append(row)
        if p.get("retweet"):
            cands = [r for r in out["social"] if _clean(r) and r.native["platform"] == "x" and r.polarity != "neutral"]
            for orig in rng.sample(cands, min(p["retweet"], len(cands))):
                orig.locked = True
                ts = _after(rng, orig.ts, 36 * 60, spec.end)
                text = f"RT {orig.native['author']}: {orig.text}"
                if len(text) > 280:
                    text = text[:279] + "…"
                row = _Row("social", ts, orig.brand, text, list(orig.themes), orig.polarity, defect="retweet",
                           pii=set(orig.pii) | {"pseudo"})
                row.native = {"platform": "x", "author": _pick(rng, authors)}
                out["social"].append(row)
        if p.get("campaign"):
            railo = _BY_NAME["Railo"]
            cw = max(0, nw - 6)
            text = _CAMPAIGN_TEXT.format(handle=railo.handle, a="Lyon", b="Saint-Étienne")
            t0 = _rand_ts(rng, "social", weeks[cw], spec.start, spec.end)
            for _ in range(p["campaign"]):
                ts = _after(rng, t0, 2 * 24 * 60, spec.end)
                row = _Row("social", ts, railo, text, ["panne_dysfonctionnement"], "neg", defect="campaign")
                row.native = {"platform": _pick(rng, ["x", "x", "facebook"]), "author": _pick(rng, authors)}
                out["social"].append(row)

    # 4. order, ids, native defaults
    truth: list[_Row] = []
    for src in _SOURCES:
        lst = out[src]
        for i, r in enumerate(lst):
            r.order = i
        lst.sort(key=lambda r: (r.ts, r.order))
        _assign_ids(rng, src, lst)
        for r in lst:
            _fill_native(rng, r, spec.end, authors)
        truth.extend(lst)

    # 5. in-place defects on clean background rows
    for src in _SOURCES:
        p = plan[src]
        lst = out[src]
        clean = [r for r in lst if _clean(r)]
        rng.shuffle(clean)
        take = iter(clean)
        for i in range(p.get("bad_date", 0)):
            r = next(take, None)
            if r is not None:
                r.date_str, r.defect = _BAD_DATES[src][i % len(_BAD_DATES[src])], "bad_date"
        for _ in range(p.get("html", 0)):
            r = next(take, None)
            if r is not None:
                r.text, r.defect = _htmlize(rng, r.text), "html"
        if p.get("oversized"):
            r = next((t for t in take if t.polarity == "neg"), None)
            if r is not None:
                r.text, r.defect = _oversized(rng, r), "oversized"
        for i in range(p.get("bad_score", 0)):
            r = next(take, None)
            if r is not None:
                r.native["score"], r.defect = _BAD_SCORES[i % len(_BAD_SCORES)], "bad_score"
        for i in range(p.get("score_format", 0)):
            raw, val = _FORMAT_SCORES[i % len(_FORMAT_SCORES)]
            r = next((t for t in take if (t.native["score"] >= 9) == (val >= 9)
                      and (t.native["score"] >= 7) == (val >= 7)), None)
            if r is not None:
                r.native["score"], r.defect = raw, "score_format"
        dups = [r for r in (next(take, None) for _ in range(p.get("exact_duplicate", 0))) if r is not None]
        for r in dups:
            r.defect = "exact_duplicate"
            pos = rng.randint(lst.index(r) + 1, len(lst))
            lst.insert(pos, r)  # same object: identical row, same id
    return out, truth


def _assign_ids(rng: Random, src: str, lst: list[_Row]) -> None:
    if src == "complaints":
        for i, r in enumerate(lst):
            r.sid = f"REC-{r.ts.year}-{104218 + i:07d}"
    elif src == "nps":
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        seen: set[str] = set()
        for r in lst:
            while True:
                sid = "R_" + "".join(alphabet[int(rng.random() * 62)] for _ in range(15))
                if sid not in seen:
                    break
            seen.add(sid)
            r.sid = sid
    else:
        last = 0
        for r in lst:
            base = int(r.ts.timestamp() * 1000) << 22
            v = max(base + rng.randint(0, 4_000_000), last + 1)
            last = v
            prefix = {"x": "", "facebook": "fb_", "instagram": "ig_", "trustpilot": "tp_",
                      "google_reviews": "gr_"}[r.native.get("platform", "x")]
            r.sid = f"{prefix}{v}"


def _fill_native(rng: Random, r: _Row, end: date, authors: list[str]) -> None:
    n = r.native
    if r.source == "complaints":
        n.setdefault("Canal", _CHANNEL_PICK.pick(rng))
        n.setdefault("Catégorie", _category(rng, r.themes, r.polarity))
        n.setdefault("Statut", _status(rng, r.ts, end))
    elif r.source == "nps":
        if "score" not in n:
            n["score"] = _SCORE_PICK.pick(rng)
        n.setdefault("touchpoint", _touchpoint(rng, r.brand, r.themes))
    else:
        n.setdefault("platform", _PLATFORM_PICK.pick(rng))
        n.setdefault("author", _pick(rng, authors))
        if "likes" not in n:
            n["likes"], n["replies"] = _social_counts(rng, r.planted)


# ---------------------------------------------------------------------------
# Tables and writers
# ---------------------------------------------------------------------------


def _complaint_tuple(r: _Row) -> tuple:
    n = r.native
    return (r.sid, r.date_str if r.date_str is not None else _fmt_complaint_date(r.ts), n["Canal"], n["Catégorie"],
            n["Statut"], r.brand.name, r.brand.sector, r.text)


def _nps_tuple(r: _Row) -> tuple:
    n = r.native
    return (r.sid, r.date_str if r.date_str is not None else _fmt_nps_date(r.ts), n["score"], r.text,
            n["touchpoint"], r.brand.name, r.brand.sector)


def _social_dict(r: _Row) -> dict:
    n = r.native
    return {"post_id": r.sid, "created_at": r.date_str if r.date_str is not None else _fmt_social_date(r.ts),
            "platform": n["platform"], "author": n["author"], "text": r.text, "likes": n["likes"],
            "replies": n["replies"], "brand": r.brand.name, "sector": r.brand.sector}


def _complaints_table(rows: list[_Row]) -> pa.Table:
    cols = list(zip(*[_complaint_tuple(r) for r in rows])) if rows else [()] * len(COMPLAINT_COLUMNS)
    return pa.table({name: pa.array(list(c), pa.string()) for name, c in zip(COMPLAINT_COLUMNS, cols)})


def _nps_table(rows: list[_Row], defects: bool) -> pa.Table:
    cols = [list(c) for c in zip(*[_nps_tuple(r) for r in rows])] if rows else [[] for _ in NPS_COLUMNS]
    data = {}
    for name, c in zip(NPS_COLUMNS, cols):
        if name == "score":
            # with defects the export holds raw strings ("dix", "9/10"); otherwise clean integers
            data[name] = pa.array([str(v) for v in c], pa.string()) if defects else pa.array(c, pa.int8())
        else:
            data[name] = pa.array(c, pa.string())
    return pa.table(data)


def _social_table(rows: list[_Row]) -> pa.Table:
    dicts = [_social_dict(r) for r in rows]
    types = {"likes": pa.int64(), "replies": pa.int64()}
    return pa.table({k: pa.array([d[k] for d in dicts], types.get(k, pa.string())) for k in SOCIAL_COLUMNS})


def _truth_tuple(r: _Row) -> tuple:
    return (r.source, r.sid, r.brand.sector, r.brand.name, ";".join(r.themes), r.planted, r.is_french, r.defect,
            _iso_week(r.ts), ";".join(sorted(r.pii)))


def _truth_table(rows: list[_Row]) -> pa.Table:
    tuples = [_truth_tuple(r) for r in rows]
    cols = list(zip(*tuples)) if tuples else [()] * len(TRUTH_COLUMNS)
    return pa.table({name: pa.array(list(c), pa.bool_() if name == "is_french" else pa.string())
                     for name, c in zip(TRUTH_COLUMNS, cols)})


def read_single_theme_truth(path: Path) -> dict[tuple[str, str], str]:
    """(source, source_id) -> theme, for the verbatims of a truth.csv with exactly one theme
    (their theme is unambiguous: what topic purity is measured on)."""
    import csv

    truth = {}
    with Path(path).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            themes = [t for t in row["themes"].split(";") if t]
            if len(themes) == 1:
                truth[(row["source"], row["source_id"])] = themes[0]
    return truth


def sample_file_names(spec: DemoSpec = DemoSpec()) -> dict[str, str]:
    span = f"{spec.start.isoformat()}_{spec.end.isoformat()}"
    return {"complaints": f"complaints_{span}.csv", "nps": f"nps_{span}.csv", "social": f"social_{span}.jsonl",
            "truth": "truth.csv"}


def _write_complaints(path: Path, tuples: Iterable[tuple], chunk: int = 5000) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="", buffering=1 << 20) as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(COMPLAINT_COLUMNS)
        buf = []
        for t in tuples:
            buf.append(t)
            if len(buf) >= chunk:
                w.writerows(buf)
                buf.clear()
        w.writerows(buf)


def write_sample(out_dir: Path, spec: DemoSpec = DemoSpec()) -> dict[str, Path]:
    """Write the three native exports and truth.csv into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, truth = _generate_rows(spec)
    names = sample_file_names(spec)
    paths = {k: out_dir / v for k, v in names.items()}
    _write_complaints(paths["complaints"], (_complaint_tuple(r) for r in rows["complaints"]))
    with open(paths["nps"], "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=",", lineterminator="\n")
        w.writerow(NPS_COLUMNS)
        w.writerows(_nps_tuple(r) for r in rows["nps"])
    with open(paths["social"], "w", encoding="utf-8", newline="\n") as f:
        for r in rows["social"]:
            f.write(json.dumps(_social_dict(r), ensure_ascii=False) + "\n")
    with open(paths["truth"], "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=",", lineterminator="\n")
        w.writerow(TRUTH_COLUMNS)
        for r in truth:
            t = _truth_tuple(r)
            w.writerow(t[:6] + ("true" if t[6] else "false",) + t[7:])
    return paths


# ---------------------------------------------------------------------------
# Streaming complaints (benchmarks): constant memory, any number of rows
# ---------------------------------------------------------------------------


class _RollingPool:
    """A small pool of generated components; each use may replace one entry with a fresh one.

    Entries are generated at the time of the row that triggers them, so relative dates in
    them always lie before the rows that reuse them. Memory is bounded by ``size``.
    """

    __slots__ = ("items", "make", "size", "refresh")

    def __init__(self, make: Callable[[datetime], object], size: int, refresh: float):
        self.items: list = []
        self.make, self.size, self.refresh = make, size, refresh

    def get(self, rng: Random, ts: datetime):
        items = self.items
        if len(items) < self.size:
            item = self.make(ts)
            items.append(item)
            return item
        i = int(rng.random() * self.size)
        if rng.random() < self.refresh:
            items[i] = self.make(ts)
        return items[i]


def iter_complaint_rows(n_rows: int, seed: int = 20261122, start: date = SAMPLE_START, end: date = SAMPLE_END,
                        defects: bool = False) -> Iterator[tuple[str, str, str, str, str, str, str, str]]:
    """Yield ``n_rows`` complaint rows (tuples in COMPLAINT_COLUMNS order), in time order.

    Uses the sample's complaint components (greeting and context, irritant sentences,
    demands, PII, closing) drawn from small rolling pools refreshed as rows go by, so the
    throughput is high, memory constant and texts stay varied. Ticket ids are unique.
    With ``defects=True`` about 0.5 % empty texts, 0.1 % unparseable dates and 0.2 %
    repeated rows are mixed in.
    """
    rng = Random(f"voc-bench-{seed}")
    brand_pick = _Weighted((b, _BRAND_WEIGHT[b.name]) for b in BRANDS)
    ndays = (end - start).days + 1
    hour_pick = _HOUR_PICK["complaints"]
    channel_pick = _CHANNEL_PICK

    def core_maker(brand: Brand) -> Callable[[datetime], tuple]:
        def make(ts: datetime) -> tuple:
            ctx = _Ctx(rng, brand, ts)
            r = rng.random()
            if r < 0.06:
                pol = "neutral" if r < 0.04 else "pos"
                enchs = _pick_enchantements(rng, brand.sector, 1 if rng.random() < 0.6 else 2) if pol == "pos" else []
                text = _stylize_inner(rng, _c_whole(rng, ctx, pol, enchs), "complaints", pol)
                return text, _category(rng, enchs, pol), True, False
            codes = _pick_irritants(rng, brand.sector, 2 if rng.random() < 0.3 else 1)
            enchs = _pick_enchantements(rng, brand.sector, 1) if r < 0.10 else []
            pol = "mixed" if enchs else "neg"
            text = _stylize_inner(rng, _c_core(rng, ctx, codes, enchs), "complaints", pol)
            return text, _category(rng, codes + enchs, pol), False, bool(_MONEY_CODES.intersection(codes))
        return make

    def frame_maker(brand: Brand) -> Callable[[datetime], tuple]:
        def make(ts: datetime) -> tuple:
            ctx = _Ctx(rng, brand, ts)
            agent = _render(rng, _pick(rng, _AGENT_PREFIX), ctx) if rng.random() < 0.2 else "Appel client : "
            return (_c_head(rng, ctx), _c_tail(rng, ctx, False), _c_tail(rng, ctx, True),
                    _c_pii(rng, ctx, False), _c_foot(rng, ctx), agent,
                    _render(rng, _pick(rng, _NEG_PREFIX), ctx), _render(rng, _pick(rng, _NEG_SUFFIX), ctx))
        return make

    pools = {b.name: (_RollingPool(core_maker(b), 256, 0.09), _RollingPool(frame_maker(b), 192, 0.06))
             for b in BRANDS}
    statuses = ["ouvert", "en cours", "en attente client", "clos", "escaladé"]
    status_cum = {  # cumulative weights by age of the ticket (see _status)
        "old": [0.0, 0.10, 0.15, 0.93, 1.0], "mid": [0.0, 0.35, 0.47, 0.92, 1.0], "new": [0.45, 0.80, 0.90, 1.0, 1.0]}
    p_acc, p_low = _STYLE_P["complaints"][0], _STYLE_P["complaints"][7]
    prev: tuple | None = None
    cur_day = -1
    cum = status_cum["new"]
    day_ts = datetime.combine(start, time(12), tzinfo=PARIS)
    day_str = ""
    d = start
    hours = [f" {h:02d}:" for h in range(24)]
    minutes = [f"{m:02d}" for m in range(60)]
    rnd = rng.random
    chunk = 8192
    brand_w = (brand_pick.items, brand_pick.cum)
    channel_w = (channel_pick.items, channel_pick.cum)
    hour_w = (hours, hour_pick.cum)
    for base in range(0, n_rows, chunk):
        m = min(chunk, n_rows - base)
        brands_c = rng.choices(brand_w[0], cum_weights=brand_w[1], k=m)
        channels_c = rng.choices(channel_w[0], cum_weights=channel_w[1], k=m)
        hours_c = rng.choices(hour_w[0], cum_weights=hour_w[1], k=m)
        for k in range(m):
            i = base + k
            day = (i * ndays) // max(1, n_rows)
            if day != cur_day:
                cur_day = day
                d = start + timedelta(days=day)
                day_ts = datetime.combine(d, time(12), tzinfo=PARIS)
                day_str = f"{d.day:02d}/{d.month:02d}/{d.year}"
                age = (end - d).days
                cum = status_cum["old" if age > 30 else ("mid" if age > 10 else "new")]
            brand = brands_c[k]
            core_p, frame_p = pools[brand.name]
            core, category, whole, money = core_p.get(rng, day_ts)
            frame = frame_p.get(rng, day_ts)
            if whole:
                text = core
            else:
                other = frame_p.items[int(rnd() * len(frame_p.items))]
                paras = list(other[0])  # greeting from another frame
                if rnd() < 0.3:  # a second problem, from another pooled core of the same brand
                    extra = core_p.items[int(rnd() * len(core_p.items))]
                    if not extra[2] and extra[0] is not core:
                        core = core + " " + _pick(rng, _C_CONNECT) + _low(extra[0])
                x = rnd()
                if x < 0.25:
                    core = other[6] + _low(core)
                elif x < 0.6:
                    core = core + " " + frame[7]
                paras.append(core)
                for part in (frame[2] if money else frame[1], frame[3], frame[4]):
                    if part:
                        paras.append(part)
                text = _c_assemble(rng, paras)
            if rnd() < p_acc:
                text = _strip_accents(rng, text)
            if rnd() < p_low:
                text = _outside_handles(text, str.lower)
            channel = channels_c[k]
            if channel == "téléphone" and rnd() < 0.45:
                text = frame[5] + text.replace("\n\n", " ").replace("\n", " ")
            date_str = day_str + hours_c[k] + minutes[int(rnd() * 60)]
            if defects:
                x = rnd()
                if x < 0.005:
                    text = _pick(rng, _EMPTY_TEXTS)
                elif x < 0.006:
                    date_str = _pick(rng, _BAD_DATES["complaints"])
                elif x < 0.008 and prev is not None:
                    yield prev
            status = statuses[bisect_right(cum, rnd())]
            row = (f"REC-{d.year}-{i + 1:08d}", date_str, channel, category, status, brand.name, brand.sector, text)
            prev = row
            yield row


def write_complaints_csv(path: Path, n_rows: int, seed: int = 20261122, start: date = SAMPLE_START,
                         end: date = SAMPLE_END, defects: bool = False) -> Path:
    """Stream ``n_rows`` complaints to a CRM-style CSV (';', UTF-8 BOM, CRLF) in chunks."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_complaints(path, iter_complaint_rows(n_rows, seed, start, end, defects))
    return path
