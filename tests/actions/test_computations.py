"""Pure parts of the actions: unused-time refunds (integer rounding) and tax id checks."""

import datetime as dt

import pytest

from chargeside.actions.base import ActionError
from chargeside.actions.subscription_cancel import unused_share
from chargeside.actions.tax_ids import TaxIdInvalid, check_tax_id

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)  # 30 days = 2,592,000 s


def test_unused_share_of_a_whole_period_is_everything():
    assert unused_share(2900, period_start=START, period_end=END, as_of=START) == 2900


def test_unused_share_after_ten_of_thirty_days():
    assert unused_share(2900, period_start=START, period_end=END, as_of=START + dt.timedelta(days=10)) == 1933  # 1933.33


def test_unused_share_rounds_to_nearest_minor_unit():
    assert unused_share(1000, period_start=START, period_end=START + dt.timedelta(seconds=3), as_of=START + dt.timedelta(seconds=1)) == 667


def test_unused_share_exact_half_rounds_down():
    # 999 × 1/2 = 499.5 → 499 (ties go to the merchant: a refund never exceeds the exact share on a tie)
    assert unused_share(999, period_start=START, period_end=START + dt.timedelta(seconds=2), as_of=START + dt.timedelta(seconds=1)) == 499


def test_unused_share_after_the_period_is_nothing():
    assert unused_share(2900, period_start=START, period_end=END, as_of=END + dt.timedelta(days=1)) == 0


def test_unused_share_of_an_empty_period_is_refused():
    with pytest.raises(ActionError, match="no length"):
        unused_share(2900, period_start=END, period_end=END, as_of=END)


@pytest.mark.parametrize(
    ("tax_type", "typed", "sent", "country"),
    [
        ("eu_vat", "de 136 695 976", "DE136695976", "DE"),
        ("eu_vat", "EL094259216", "EL094259216", "GR"),
        ("gb_vat", "980 7806 84", "GB980780684", "GB"),
        ("tr_tin", "0010001000", "0010001000", "TR"),  # VKN (companies)
        ("tr_tin", "10000000146", "10000000146", "TR"),  # T.C. Kimlik No (people)
        ("us_ein", "041234567", "04-1234567", "US"),
        ("au_abn", "51 824 753 556", "51824753556", "AU"),
        ("in_gst", "27AAPFU0939F1ZV", "27AAPFU0939F1ZV", "IN"),
        ("ch_vat", "CHE-107.787.577", "CHE-107.787.577 MWST", "CH"),
        ("ch_vat", "CHE-107.787.577 IVA", "CHE-107.787.577 IVA", "CH"),
        ("no_vat", "995 525 828", "995525828MVA", "NO"),
        ("ca_bn", "123456782", "123456782", "CA"),
    ],
)
def test_valid_tax_ids_are_written_as_the_gateway_wants(tax_type, typed, sent, country):
    checked = check_tax_id(tax_type, typed)
    assert (checked.type, checked.value, checked.country) == (tax_type, sent, country)


@pytest.mark.parametrize(
    ("tax_type", "typed", "message"),
    [
        ("eu_vat", "DE136695977", "DE136695977 is not a valid EU VAT number: its check digit is wrong (a typo?)."),
        ("gb_vat", "GB980780685", "GB980780685 is not a valid UK VAT number: its check digit is wrong (a typo?)."),
        ("tr_tin", "0010001001", "0010001001 is not a valid Turkish tax number (VKN or T.C. Kimlik No): its check digit is wrong (a typo?)."),
        ("us_ein", "00-1234567", "00-1234567 is not a valid US EIN: a part of it (such as the country or region code) is not valid."),
        ("au_abn", "51824753557", "51824753557 is not a valid Australian ABN: its check digit is wrong (a typo?)."),
        ("in_gst", "27AAPFU0939F1ZW", "27AAPFU0939F1ZW is not a valid Indian GSTIN: its check digit is wrong (a typo?)."),
        ("ch_vat", "CHE-107.787.578", "CHE-107.787.578 is not a valid Swiss VAT number: its check digit is wrong (a typo?)."),
        ("no_vat", "995525829", "995525829 is not a valid Norwegian VAT number: its check digit is wrong (a typo?)."),
        ("ca_bn", "12345678", "12345678 is not a valid Canadian business number: it has the wrong number of characters."),
    ],
)
def test_invalid_tax_ids_say_what_is_wrong(tax_type, typed, message):
    with pytest.raises(TaxIdInvalid) as refused:
        check_tax_id(tax_type, typed)
    assert (refused.value.message, refused.value.field) == (message, "value")


def test_unknown_tax_id_type_is_refused_naming_the_type():
    with pytest.raises(TaxIdInvalid) as refused:
        check_tax_id("xx_vat", "123")
    assert refused.value.field == "type"
    assert refused.value.message.startswith("'xx_vat' is not a tax id type Chargeside can check. Supported: ar_cuit, au_abn,")


def test_empty_tax_id_is_refused():
    with pytest.raises(TaxIdInvalid, match="Enter the UK VAT number."):
        check_tax_id("gb_vat", "  ")
