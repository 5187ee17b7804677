"""Checking tax ids before they reach the gateway: format and check digits with python-stdnum.

Keys are Stripe's tax id types (the vocabulary Chargeside uses for every gateway). Each rule names the
stdnum module(s) that validate the number and how Stripe wants it written. A number that fails is refused
with what is wrong ("check digit", "length", "format") and nothing is sent to the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError


@dataclass(frozen=True)
class TaxIdRule:
    label: str  # translated lazily: "EU VAT number"
    modules: tuple[str, ...]  # stdnum modules; the first that accepts the number wins
    country: str = ""  # "" → taken from the number (EU VAT)
    style: str = "compact"  # compact | format (stdnum's display format) | prefix:XX | ch_vat
    # Suffixes the official form ends with; people often leave them off ("CHE-123.456.789" for a VAT number).
    suffixes: tuple[str, ...] = ()


RULES: dict[str, TaxIdRule] = {
    "eu_vat": TaxIdRule(_lazy("EU VAT number"), ("stdnum.eu.vat",), style="eu"),
    "gb_vat": TaxIdRule(_lazy("UK VAT number"), ("stdnum.gb.vat",), "GB", style="prefix:GB"),
    "tr_tin": TaxIdRule(_lazy("Turkish tax number (VKN or T.C. Kimlik No)"), ("stdnum.tr.vkn", "stdnum.tr.tckimlik"), "TR"),
    "us_ein": TaxIdRule(_lazy("US EIN"), ("stdnum.us.ein",), "US", style="format"),
    "au_abn": TaxIdRule(_lazy("Australian ABN"), ("stdnum.au.abn",), "AU"),
    "in_gst": TaxIdRule(_lazy("Indian GSTIN"), ("stdnum.in_.gstin",), "IN"),
    "ch_vat": TaxIdRule(_lazy("Swiss VAT number"), ("stdnum.ch.vat",), "CH", style="ch_vat", suffixes=("MWST", "TVA", "IVA")),
    "ch_uid": TaxIdRule(_lazy("Swiss UID"), ("stdnum.ch.uid",), "CH", style="format"),
    "no_vat": TaxIdRule(_lazy("Norwegian VAT number"), ("stdnum.no.mva",), "NO", suffixes=("MVA",)),
    "ca_bn": TaxIdRule(_lazy("Canadian business number"), ("stdnum.ca.bn",), "CA"),
    "br_cnpj": TaxIdRule(_lazy("Brazilian CNPJ"), ("stdnum.br.cnpj",), "BR", style="format"),
    "br_cpf": TaxIdRule(_lazy("Brazilian CPF"), ("stdnum.br.cpf",), "BR", style="format"),
    "mx_rfc": TaxIdRule(_lazy("Mexican RFC"), ("stdnum.mx.rfc",), "MX"),
    "es_cif": TaxIdRule(_lazy("Spanish CIF"), ("stdnum.es.cif",), "ES"),
    "jp_cn": TaxIdRule(_lazy("Japanese corporate number"), ("stdnum.jp.cn",), "JP"),
    "kr_brn": TaxIdRule(_lazy("Korean business registration number"), ("stdnum.kr.brn",), "KR", style="format"),
    "nz_gst": TaxIdRule(_lazy("New Zealand GST number"), ("stdnum.nz.ird",), "NZ"),
    "cl_tin": TaxIdRule(_lazy("Chilean RUT"), ("stdnum.cl.rut",), "CL", style="format"),
    "sg_uen": TaxIdRule(_lazy("Singapore UEN"), ("stdnum.sg.uen",), "SG"),
    "is_vat": TaxIdRule(_lazy("Icelandic VAT number"), ("stdnum.is_.vsk",), "IS"),
    "rs_pib": TaxIdRule(_lazy("Serbian PIB"), ("stdnum.rs.pib",), "RS"),
    "ru_inn": TaxIdRule(_lazy("Russian INN"), ("stdnum.ru.inn",), "RU"),
    "tw_vat": TaxIdRule(_lazy("Taiwanese UBN"), ("stdnum.tw.ubn",), "TW"),
    "ar_cuit": TaxIdRule(_lazy("Argentinian CUIT"), ("stdnum.ar.cuit",), "AR", style="format"),
    "co_nit": TaxIdRule(_lazy("Colombian NIT"), ("stdnum.co.nit",), "CO", style="format"),
    "ec_ruc": TaxIdRule(_lazy("Ecuadorian RUC"), ("stdnum.ec.ruc",), "EC"),
    "pe_ruc": TaxIdRule(_lazy("Peruvian RUC"), ("stdnum.pe.ruc",), "PE"),
    "uy_ruc": TaxIdRule(_lazy("Uruguayan RUT"), ("stdnum.uy.rut",), "UY"),
    "il_vat": TaxIdRule(_lazy("Israeli company number"), ("stdnum.il.hp",), "IL"),
    "th_vat": TaxIdRule(_lazy("Thai tax id"), ("stdnum.th.tin",), "TH"),
    "hr_oib": TaxIdRule(_lazy("Croatian OIB"), ("stdnum.hr.oib",), "HR"),
    "eg_tin": TaxIdRule(_lazy("Egyptian tax number"), ("stdnum.eg.tn",), "EG"),
    "do_rcn": TaxIdRule(_lazy("Dominican RNC"), ("stdnum.do.rnc",), "DO"),
    "me_pib": TaxIdRule(_lazy("Montenegrin PIB"), ("stdnum.me.pib",), "ME"),
}

_PROBLEMS = (
    (InvalidChecksum, _lazy("its check digit is wrong (a typo?)")),
    (InvalidLength, _lazy("it has the wrong number of characters")),
    (InvalidFormat, _lazy("it is not written in the expected format")),
    (InvalidComponent, _lazy("a part of it (such as the country or region code) is not valid")),
)


class TaxIdInvalid(ValueError):
    def __init__(self, message: str, field: str = "value"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CheckedTaxId:
    type: str
    value: str  # as the gateway wants it
    country: str  # ISO 3166-1 alpha-2


def check_tax_id(tax_type: str, value: str) -> CheckedTaxId:
    tax_type = (tax_type or "").strip().lower()
    rule = RULES.get(tax_type)
    if rule is None:
        raise TaxIdInvalid(_("'%(type)s' is not a tax id type Chargeside can check. Supported: %(types)s.")
                           % {"type": tax_type, "types": ", ".join(sorted(RULES))}, "type")
    value = (value or "").strip()
    if not value:
        raise TaxIdInvalid(_("Enter the %(kind)s.") % {"kind": rule.label})
    if len(value) > 64:
        raise TaxIdInvalid(_("A %(kind)s is never that long.") % {"kind": rule.label})
    given = value
    if rule.suffixes and not value.upper().replace(" ", "").endswith(rule.suffixes):
        value = f"{value} {rule.suffixes[0]}"
    problem = ""
    for path in rule.modules:
        module = import_module(path)
        try:
            compact = module.validate(value)
        except ValidationError as exc:
            problem = problem or _describe(exc)
            continue
        return CheckedTaxId(tax_type, _written(rule, module, compact), rule.country or _eu_country(compact))
    raise TaxIdInvalid(_("%(value)s is not a valid %(kind)s: %(problem)s.") % {"value": given, "kind": rule.label, "problem": problem})


def _describe(exc: ValidationError) -> str:
    for kind, text in _PROBLEMS:
        if isinstance(exc, kind):
            return str(text)
    return _("it is not valid")


def _eu_country(compact: str) -> str:
    prefix = compact[:2].upper()
    return {"EL": "GR", "XI": "GB"}.get(prefix, prefix)


def _written(rule: TaxIdRule, module, compact: str) -> str:
    if rule.style == "format":
        return module.format(compact)
    if rule.style.startswith("prefix:"):
        prefix = rule.style.partition(":")[2]
        return compact if compact.startswith(prefix) else prefix + compact
    if rule.style == "ch_vat":  # Stripe's example: CHE-123.456.789 MWST
        written = module.format(compact)
        return written if written.endswith(("MWST", "TVA", "IVA")) else f"{written} MWST"
    return compact
