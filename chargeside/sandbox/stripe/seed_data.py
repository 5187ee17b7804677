"""Reference data for seeding: names per locale, hostile strings, the product catalogue."""

from __future__ import annotations

# (country, currency, first names, last names, email domains, locale)
LOCALES = [
    ("TR", "try",
     ["Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Emre", "Şule", "Çağla", "Gökhan", "Özge",
      "İbrahim", "Ümit", "Ilgın", "Barış", "Gül", "Ömer", "Şahin", "Tuğçe", "Doğan", "Aslı"],
     ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Özdemir", "Arslan", "Doğan",
      "Kılıç", "Aslan", "Çetin", "Koç", "Kurt", "Özkan", "Şimşek", "Güneş", "Erdoğan", "Yıldız"],
     ["example.com.tr", "example.com"], "tr-TR"),
    ("US", "usd",
     ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Emily",
      "Daniel", "Sarah", "Chris", "Jessica", "Kevin", "Ashley"],
     ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Taylor",
      "Anderson", "Thomas", "O'Brien", "Nguyen", "Martinez", "Lee"],
     ["example.com", "example.org", "example.net"], "en-US"),
    ("DE", "eur",
     ["Lukas", "Anna", "Jürgen", "Sophie", "Matthias", "Lea", "Björn", "Mia", "Jörg", "Hannah"],
     ["Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Groß", "Köhler", "Schäfer", "Meyer", "Wagner"],
     ["example.de", "example.com"], "de-DE"),
    ("FR", "eur",
     ["Léa", "Hugo", "Chloé", "Louis", "Inès", "Théo", "Zoé", "Gaël", "Amélie", "François"],
     ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux", "Bonnet", "Faure"],
     ["example.fr", "example.com"], "fr-FR"),
    ("ES", "eur",
     ["Lucía", "Alejandro", "Sofía", "Martín", "María", "Pablo", "Valentina", "Álvaro"],
     ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez"],
     ["example.es", "example.com"], "es-ES"),
    ("GB", "gbp",
     ["Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Freya"],
     ["Smith", "Jones", "Taylor", "Evans", "Thomas", "Roberts", "Walker", "Wright"],
     ["example.co.uk", "example.com"], "en-GB"),
    ("JP", "jpy",
     ["Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Mei"],
     ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"],
     ["example.jp", "example.com"], "ja-JP"),
    ("KW", "kwd",
     ["Fatima", "Ahmad", "Noura", "Yousef"],
     ["Al-Sabah", "Al-Mutairi", "Al-Azmi", "Al-Enezi"],
     ["example.com"], "ar-KW"),
]
# Relative weights of the locales above.
LOCALE_WEIGHTS = [30, 30, 12, 8, 6, 8, 5, 1]

ASCII = str.maketrans({"ç": "c", "ğ": "g", "ı": "i", "İ": "i", "ö": "o", "ş": "s", "ü": "u", "Ç": "c",
                       "Ğ": "g", "Ö": "o", "Ş": "s", "Ü": "u", "ä": "a", "ß": "ss", "é": "e", "è": "e",
                       "ê": "e", "ë": "e", "à": "a", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u",
                       "ù": "u", "á": "a", "í": "i", "ó": "o", "ú": "u", "ñ": "n", "Á": "a", "É": "e",
                       "Ä": "a", "'": "", " ": "", "-": ""})

# Names and descriptions that must come out escaped wherever they are shown.
HOSTILE = [
    ("<script>alert(1)</script>", "Customer entered markup in their name"),
    ("Mallory <img src=x onerror=alert(document.cookie)>", "Imported from legacy CRM"),
    ("Bobby\"); DROP TABLE customers;--", "<b>VIP</b> &amp; <i>friends</i>"),
    ("Eve &lt;eve@example.com&gt;", "</textarea><script>alert('desc')</script>"),
    ("{{7*7}} ${7*7} Template Tester", "javascript:alert(1)"),
]

# Products and their prices: (name, description, {currency: monthly minor units}).
# Yearly prices are ten months' worth (two months free).
CATALOG = [
    ("Starter", "For solo support agents", {"usd": 1900, "eur": 1900, "gbp": 1600, "try": 59900, "jpy": 2800, "kwd": 6000}),
    ("Team", "For growing support teams", {"usd": 4900, "eur": 4500, "gbp": 3900, "try": 149900, "jpy": 7200, "kwd": 15000}),
    ("Business", "Advanced workflows and SSO", {"usd": 9900, "eur": 9500, "gbp": 8200, "try": 299900, "jpy": 14500, "kwd": 30000}),
    ("Enterprise", "Dedicated success manager", {"usd": 29900, "eur": 27900, "gbp": 24900, "try": 899900, "jpy": 44000, "kwd": 90000}),
]
ONE_TIME = [
    ("Onboarding package", "Guided setup session", {"usd": 25000, "eur": 23000, "try": 750000, "gbp": 20000, "jpy": 36000}),
    ("Extra seats pack", "Five additional agent seats", {"usd": 7500, "eur": 7000, "try": 225000, "gbp": 6000, "jpy": 11000}),
]

# Typical one-off charge amounts per currency (minor units): (low, high).
CHARGE_RANGES = {"usd": (500, 45000), "eur": (500, 40000), "gbp": (500, 35000), "try": (10000, 1500000),
                 "jpy": (500, 60000), "kwd": (1000, 150000)}

DESCRIPTIONS = ["Order #{n}", "Annual support add-on", "Seat top-up", "Consulting hour", "Data export",
                "Premium templates", "Sipariş #{n}", "Bestellung #{n}", "Commande n°{n}"]

DECLINE_WEIGHTS = [("insufficient_funds", 40), ("generic_decline", 25), ("expired_card", 10),
                   ("incorrect_cvc", 8), ("lost_card", 5), ("stolen_card", 4), ("processing_error", 5),
                   ("fraudulent", 3)]

CARD_WEIGHTS = [("visa", 45), ("mastercard", 30), ("amex", 8), ("visa_debit", 7), ("discover", 3),
                ("jcb", 2), ("unionpay", 1), ("tr", 4)]

TAX_IDS = {"TR": ("tr_tin", "{d10}"), "DE": ("eu_vat", "DE{d9}"), "FR": ("eu_vat", "FR{d11}"),
           "ES": ("eu_vat", "ESX{d7}X"), "GB": ("gb_vat", "GB{d9}"), "US": ("us_ein", "{d2}-{d7}")}
