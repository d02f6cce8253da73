"""Every page of the app, as a learner with some history sees it: the list the page-wide checks
(no sideways scrolling at 360 px, axe in both themes) walk, and how to open each one.

`learner(context, server)` gives a fresh guest a review, a finished quiz, one in progress and a
mock interview, and returns the addresses that need them; `open_page` then opens a page by name.
"""

import re

from playwright.sync_api import BrowserContext, Page

# Name → address; {card}, {quiz}, {open_quiz} and {mock} are filled in from `learner`.
# "#revealed": after opening every answer and <details> on the page; "#recall": after typing an
# answer first (A) and revealing it with Ctrl+Enter, so the key points it covered are listed.
PAGES = {
    "home": "/",
    "deck": "/cards",
    "deck-filtered": "/cards?tag=lstm&sort=recall&q=gate&suspended=false",
    "card": "/cards/{card}",
    "card-revealed": "/cards/{card}#revealed",
    "card-recall": "/cards/{card}#recall",
    "review": "/review",
    "review-revealed": "/review#revealed",
    "review-recall": "/review#recall",
    "review-ahead": "/review?mode=ahead",
    "quiz-builder": "/quiz",
    "quiz": "/quiz/{open_quiz}",
    "quiz-results": "/quiz/{quiz}/results",
    "quiz-history": "/quiz/history",
    "mock-builder": "/mock",
    "mock": "/quiz/{mock}",
    "progress": "/progress",
    "settings": "/settings",
    "account": "/account",
    "lab": "/lab",
    "lab-card": "LAB",
    "lab-gradients": "/lab?tab=gradients",
    "lab-train": "/lab?tab=train",
    "docs": "/docs",
    "error-404": "/cards/no-such-card",
    "error-403": "FORBIDDEN",
    "error-422": "/quiz/not-a-number",
}
ERROR_PAGES = {"error-404": 404, "error-403": 403, "error-422": 422}


def learner(context: BrowserContext, server: str) -> dict[str, str]:
    """A guest with a history in this browser context; returns the ids the addresses need."""
    request = context.request
    deck = request.get(server + "/api/cards").json()
    card = deck[3]["slug"] if len(deck) > 3 else deck[0]["slug"]  # card 4 carries wide formulas
    review = {"card": deck[0]["slug"], "rating": 1, "idempotency_key": "site-review-0001"}
    assert request.post(server + "/api/reviews", data=review).ok
    body = {"size": 5, "time_limit_s": 60, "mode": "exam"}
    quiz = request.post(server + "/api/quizzes", data=body).json()
    for index, item in enumerate(quiz["items"]):
        answer = {"number": 0.912, "choice": 1, "boolean": True}[item["answer_type"]]
        request.post(
            f"{server}/api/quizzes/{quiz['id']}/answers", data={"item": index, "answer": answer}
        )
    assert request.post(f"{server}/api/quizzes/{quiz['id']}/finish", data={}).ok
    open_quiz = request.post(server + "/api/quizzes", data={**body, "mode": "practice"}).json()
    mock = request.post(server + "/api/quizzes", data={"kind": "mock", "size": 2}).json()
    lab = next(c for c in deck if c["slug"] == card).get("lab_url") or "/lab"
    return {
        "card": card,
        "quiz": str(quiz["id"]),
        "open_quiz": str(open_quiz["id"]),
        "mock": str(mock["id"]),
        "lab": lab,
    }


def open_page(page: Page, server: str, name: str, ids: dict[str, str]) -> int:
    """Open the page called `name` and wait until its scripts have drawn it; returns the status."""
    path = PAGES[name]
    if path == "FORBIDDEN":
        # A form sent without its CSRF token: the friendly 403 page.
        page.goto(server + "/settings")
        with page.expect_navigation():
            page.evaluate(
                """() => { const f = document.createElement('form'); f.method = 'post';
                f.action = '/settings'; document.body.append(f); f.submit(); }"""
            )
        return 403
    if path == "LAB":
        path = ids["lab"]
    response = page.goto(server + path.format(**ids).split("#")[0])
    status = response.status if response else 0
    if name.startswith("review"):
        page.locator(
            "[data-card]:not([hidden]) [data-question]:not(:empty), [data-summary]:not([hidden])"
        ).first.wait_for()
    if name.startswith("lab"):
        page.locator("canvas[data-heatmap]").first.wait_for(state="attached")
        if "tab=" in path:
            page.locator('[role="tab"][aria-selected="true"]').wait_for()
    if name == "quiz":
        page.locator("[data-item-form]").wait_for()
    if name == "quiz-history":
        page.locator("table.history").wait_for()
    page.wait_for_load_state("networkidle")
    if path.endswith("#recall"):
        page.locator("body").press("a")
        # A locator, not wait_for_function: a string predicate is polled with eval(),
        # which the page's CSP (script-src 'self') refuses once the first check fails.
        page.locator("[data-recall-text]:focus").wait_for()
        page.keyboard.type("The cell state is updated additively; only h_t goes through o_t.")
        page.keyboard.press("Control+Enter")
        page.locator("[data-recall-points] li").first.wait_for()
    if path.endswith(("#revealed", "#recall")) or PAGES[name].endswith("#revealed"):
        if not path.endswith("#recall"):
            page.keyboard.press("Space")
        for summary in page.locator("details:not([open]) > summary").all():
            if summary.is_visible():
                summary.click()
    return status


def page_names() -> list[str]:
    return list(PAGES)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", name)
