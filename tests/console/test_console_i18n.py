"""English and Turkish: the member's preference first, else the browser's Accept-Language; ₺ and dates by Babel."""

from __future__ import annotations

from chargeside.workspaces.models import ActionLimit

from .factories import seed_customer


def test_turkish_member_sees_turkish_pages_and_lira_formatting(login, agent, offline_connection):
    # given an agent who prefers Turkish and a customer paying in lira
    agent.language = "tr"
    agent.save()
    customer, _charge = seed_customer(offline_connection, email="ayse@example.com", name="Ayşe Yılmaz", charge_amount=123456,
                                      currency="TRY", suffix="tr")
    client = login(agent)
    client.post("/account/language/", {"language": "tr"})
    # when they open the customer
    response = client.get(f"/customers/{customer.pk}/")
    page = response.content.decode()
    # then the page is Turkish with Turkish money and dates
    assert response["Content-Language"] == "tr"
    assert '<html lang="tr">' in page
    assert "Ödemeler" in page and "Ödeme yöntemleri" in page and "Çıkış yap" in page
    assert "₺1.234,56" in page
    assert "20.11.2026" in page


def test_login_applies_the_members_saved_language(client, agent):
    agent.language = "tr"
    agent.save()
    client.post("/login/", {"username": "acme-agent", "password": "correct horse battery staple"})
    page = client.get("/customers/").content.decode()
    assert "Müşteri bul" in page


def test_accept_language_decides_without_a_preference(client, agent):
    client.force_login(agent.user)
    page = client.get("/customers/", headers={"Accept-Language": "tr-TR,tr;q=0.9"}).content.decode()
    assert "Müşteri bul" in page
    page = client.get("/customers/", headers={"Accept-Language": "en-US"}).content.decode()
    assert "Find a customer" in page


def test_turkish_limits_page_formats_lira(login, admin):
    admin.language = "tr"
    admin.save()
    ActionLimit.objects.create(workspace=admin.workspace, role="agent", currency="TRY", per_action=25000, per_day=1000000)
    client = login(admin)
    page = client.get("/limits/").content.decode()
    assert "Tutar limitleri" in page
    assert "₺250,00" in page and "₺10.000,00" in page


def test_turkish_throttle_message(client, agent, settings):
    settings.CHARGESIDE_LOGIN_MAX_FAILURES = 1
    client.post("/login/", {"username": "acme-agent", "password": "wrong"})
    response = client.post("/login/", {"username": "acme-agent", "password": "wrong"}, headers={"Accept-Language": "tr"})
    assert response.status_code == 429
    assert "Çok fazla başarısız deneme. 15 dakika bekleyip yeniden deneyin." in response.content.decode()
