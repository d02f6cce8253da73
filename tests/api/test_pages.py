"""Server-rendered pages: parse the HTML and check the pieces a learner relies on."""

from bs4 import BeautifulSoup


def soup(response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_home_shows_snapshot_and_actions(client):
    page = soup(client.get("/"))
    assert page.find("a", class_="skip-link")["href"] == "#main"
    assert page.select_one("main#main")
    assert page.select_one("h1").get_text(strip=True) == "Prepare for LSTM and RNN interviews"
    stats = {
        s.select_one(".stat-label").text: s.select_one(".stat-value").text
        for s in page.select(".stat")
    }
    assert stats["new left today"] == "2" and stats["due now"] == "0" and stats["due today"] == "0"
    assert page.select_one("label.progress-label").text.strip() == "0 of 2 cards studied"
    start = page.select_one(".actions a.primary")
    assert start["href"] == "/review" and start.text.strip() == "Start studying"


def test_deck_lists_every_card_with_its_state(client):
    page = soup(client.get("/cards"))
    rows = page.select("table.deck tbody tr")
    assert len(rows) == 2
    assert rows[0].select_one("a")["href"] == "/cards/first-card"
    assert rows[0].select_one(".badge.stage-new").text == "New"
    assert page.select_one('nav a[aria-current="page"]')["href"] == "/cards"


def test_card_page_has_question_answer_lab_link_references_and_pager(client):
    page = soup(client.get("/cards/first-card"))
    assert (
        page.select_one("h1#question").get_text(strip=True) == "What does the forget gate multiply?"
    )
    reveal = page.select_one("button[data-reveal]")
    assert reveal["aria-controls"] == "answer" and reveal["aria-expanded"] == "false"
    answer = page.select_one("#answer")
    assert answer.select_one(".math.block math[display=block]")
    assert len(answer.select(".key-points li")) == 3
    assert (
        answer.select_one("details.follow-up summary").get_text(strip=True)
        == "Why initialise its bias to one?"
    )
    assert answer.select_one(".lab-callout a")["href"] == "/lab?preset=forget-bias&card=first-card"
    ref = answer.select_one(".references a")
    assert ref["href"] == "https://doi.org/10.1162/089976600300015015"
    assert page.select_one("a[data-next]")["href"] == "/cards/second-card"
    assert page.select_one("a[data-prev]") is None
    # The quiz's items and explanations are never on the card page.
    assert "The input enters through the weights." not in str(page)


def test_unknown_card_page_is_a_friendly_404(client):
    response = client.get("/cards/nope")
    assert response.status_code == 404
    page = soup(response)
    assert page.select_one("h1").text == "Page not found"
    assert "No card is called 'nope'." in page.text
    assert page.select_one("a.skip-link")


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert soup(response).select_one("h1").text == "Page not found"


def test_unexpected_error_shows_an_error_page_without_a_trace(app):
    from fastapi.testclient import TestClient

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert soup(response).select_one("h1").text == "Something went wrong"


def test_static_files_carry_a_content_hash_and_are_cached(client):
    page = soup(client.get("/"))
    href = page.select_one('link[rel="stylesheet"]')["href"]
    assert href.startswith("/static/css/app.css?v=")
    response = client.get(href)
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]


def test_no_outside_resources(client):
    for path in ("/", "/cards", "/cards/first-card"):
        page = soup(client.get(path))
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for el in page.find_all(tag):
                url = el.get(attr) or ""
                assert not url.startswith(("http:", "https:", "//")), f"{path} loads {url}"
