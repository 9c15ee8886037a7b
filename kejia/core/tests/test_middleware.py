def test_language_defaults_to_chinese_whatever_the_browser_says(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_language_switch_cookie_gives_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "en" and "Log in" in response.content.decode()


def test_language_unknown_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx"
    assert client.get("/accounts/login/")["Content-Language"] == "zh-hans"
