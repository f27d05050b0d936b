"""The module speaks German, Finnish and Thai: every term of the template translated, and the
account form, the pending companies list and the accept wizard rendered in each language.

A term added to the code without a translation in one of the three files fails this test (the
CI runs it with the suite): run ``make pot``, then translate the new terms of each ``.po``."""

import re
from pathlib import Path

import polib
from lxml import etree

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

I18N = Path(__file__).resolve().parent.parent / "i18n"

# Language of each .po file -> the res.lang code Odoo loads it for.
LANGUAGES = {"de": "de_DE", "fi": "fi_FI", "th": "th_TH"}

# The one place for terms a translation may leave as they are: names, codes and words that
# are the same in these languages, and terms with no word besides placeholders (every other
# msgstr must differ from its msgid).
SAME_AS_ENGLISH = frozenset(
    {
        "2026-03",
        "v3",
        "account_id",
        "HubSpot",
        "Odoo",
        "OAuth",
        "OAuth 2.0",
        "ID",
        "HubSpot → Odoo",
        "Odoo → HubSpot",
        "%(type)s (%(reasons)s)",
        "Administrator",
        "Dashboard",
        "Deal",
        "Deals",
        "Domain",
        "Icon",
        "Lead",
        "Limits",
        "Name",
        "Partner",
        "Person",
        "Pipeline",
        "Pipelines",
        "Portal",
        "Status",
        "Ticket",
        "Tickets",
        "Website",
        "no,nein,false",  # the exclude values' example: values users type in HubSpot
    }
)

PLACEHOLDER = re.compile(r"%\(\w+\)s|%[sd]|\{\w*\}|</?[a-zA-Z][\w-]*|/>")  # tags by name: attributes translate

# The three screens a user of each language must meet in that language, with terms they show.
SCREENS = {
    "hubspot_connector.hubspot_account_view_form": ("Test connection", "Start integration", "Sync now"),
    "hubspot_connector.hubspot_pending_company_view_list": ("Arrived", "Possible Duplicates"),
    "hubspot_connector.hubspot_accept_company_view_form": ("Accept", "Follow-up"),
}


def may_stay_english(msgid):
    return msgid in SAME_AS_ENGLISH or not re.search(r"[^\W\d_]", PLACEHOLDER.sub("", msgid))


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text)), text.count("\n")


def texts_of(arch):
    """Every text a user reads in a rendered view: text nodes and labelling attributes."""
    found = set()
    for node in etree.fromstring(arch).iter():
        for text in (
            node.text,
            node.tail,
            *(node.get(a) for a in ("string", "help", "placeholder", "title", "confirm")),
        ):
            if text and text.strip():
                found.add(" ".join(text.split()))
    return found


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = polib.pofile(str(I18N / "hubspot_connector.pot"))

    def _po(self, lang):
        path = I18N / f"{lang}.po"
        self.assertTrue(path.exists(), f"{path.name} is missing: every term needs a translation in {lang}")
        return polib.pofile(str(path))

    def test_every_term_translated(self):
        """Each .po has every msgid of the template, translated, placeholders kept."""
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                po = {entry.msgid: entry for entry in self._po(lang) if not entry.obsolete}
                problems = []
                for term in self.template:
                    entry = po.get(term.msgid)
                    if entry is None or not entry.msgstr or entry.fuzzy:
                        problems.append(f"untranslated: {term.msgid!r}")
                    elif entry.msgstr == term.msgid and not may_stay_english(term.msgid):
                        problems.append(f"left in English: {term.msgid!r}")
                    elif placeholders(entry.msgstr) != placeholders(term.msgid):
                        problems.append(f"placeholders or line breaks changed: {term.msgid!r} -> {entry.msgstr!r}")
                self.assertFalse(problems, f"{lang}.po: {len(problems)} problem(s):\n" + "\n".join(problems))

    def test_screens_in_each_language(self):
        """The account form, the pending list and the accept wizard show no module term in English."""
        for lang, code in LANGUAGES.items():
            with self.subTest(lang=lang):
                po = {entry.msgid: entry.msgstr for entry in self._po(lang) if entry.msgstr}
                self.env["res.lang"]._activate_lang(code)
                self.env["ir.module.module"]._load_module_terms(["hubspot_connector"], [code], overwrite=True)
                for xmlid, key_terms in SCREENS.items():
                    view = self.env.ref(xmlid)
                    model = self.env[view.model].with_context(lang=code)
                    arch = model._get_view(view.id, view.type)[0]
                    shown = texts_of(etree.tostring(arch, encoding="unicode"))
                    for term in key_terms:
                        self.assertIn(" ".join(po.get(term, term).split()), shown, f"{lang}: {xmlid}")
                    english = {
                        " ".join(t.msgid.split())
                        for t in self.template
                        if any(o[0] == f"model_terms:ir.ui.view,arch_db:{xmlid}" for o in t.occurrences)
                        and "<" not in t.msgid
                        and not may_stay_english(t.msgid)
                    }
                    self.assertTrue(english, xmlid)
                    self.assertFalse(english & shown, f"{lang}: {xmlid} shows module terms in English")
                    # Field labels come with the view (get_views): none of the module's in English.
                    prefix = f"model:ir.model.fields,field_description:hubspot_connector.field_{view.model.replace('.', '_')}__"
                    labels = {
                        t.msgid
                        for t in self.template
                        if any(o[0].startswith(prefix) for o in t.occurrences) and not may_stay_english(t.msgid)
                    }
                    self.assertTrue(labels, view.model)
                    shown_labels = {f["string"] for f in model.fields_get(attributes=["string"]).values()}
                    self.assertFalse(labels & shown_labels, f"{lang}: {view.model} field labels in English")
