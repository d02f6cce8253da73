"""No page scrolls sideways on a phone (issue 14.7): every page at 360 px, as a learner with a
history sees it, with its answers revealed where it has any. Long formulas and wide tables scroll
inside their own box; the page itself never does."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.e2e.conftest import screenshot
from tests.e2e.site import PAGES, learner, open_page

pytestmark = pytest.mark.e2e

# Which element is wider than the page, for the failure message.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const culprits = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
      culprits.push(`${name} right=${Math.round(r.right)}`);
    }
  }
  return culprits.slice(0, 5);
}"""


@pytest.fixture(scope="module")
def phone(browser: Browser, server: str) -> Iterator[tuple[BrowserContext, dict]]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    yield context, learner(context, server)
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_scrolls_sideways_at_360_px(phone, server: str, name: str):
    context, ids = phone
    page = context.new_page()
    try:
        open_page(page, server, name, ids)
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            screenshot(page, f"overflow-360-{name}")
        assert scroll <= client, f"{name}: {scroll}px wide at {client}px: {page.evaluate(WIDEST)}"
    finally:
        page.close()
