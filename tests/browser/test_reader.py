"""What a reader sees and touches on the feature site: tooltips, navigation, anchors, badges, layout,
structured data, print."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from .browsing import CONTRAST_JS, PHONE, write_feature_site

FIRST_CITE = "#cite-onji1987effect-1"
TOOLTIP = "#factcheck-tooltip"


def in_viewport(page: Page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """(e) => { const r = e.getBoundingClientRect();
                    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= document.documentElement.clientWidth; }""",  # noqa: E501 - written as a user writes it
    )


def tooltip_box(page: Page) -> dict:
    return page.eval_on_selector(
        TOOLTIP,
        "(e) => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom:"
        " r.bottom}; }",
    )


def assert_inside_viewport(page: Page, box: dict) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    height = page.evaluate("document.documentElement.clientHeight")
    assert box["left"] >= 0 and box["top"] >= 0, box
    assert box["right"] <= width and box["bottom"] <= height, (box, width, height)


# ---------------------------------------------------------------------- tooltip


def test_tooltip_on_hover_shows_the_full_entry(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    link = page.locator(FIRST_CITE)
    # Without a title the browser (and Material's `content.tooltips`) would show a second tooltip.
    expect(link).not_to_have_attribute("title", "Gut")
    assert link.get_attribute("title") is None
    assert "Effect of recombinant interleukin 2" in link.get_attribute("data-factcheck-title")

    link.hover()
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_attribute("role", "tooltip")
    expect(link).to_have_attribute("aria-describedby", "factcheck-tooltip")
    entry_text = page.locator("#ref-onji1987effect .reference-text").inner_text()
    expect(tooltip).to_contain_text(entry_text)
    expect(tooltip.locator(".reference-ids a.ref-doi")).to_have_attribute(
        "href", "https://doi.org/10.1136/gut.28.12.1648"
    )
    expect(tooltip.locator(".reference-backlinks")).to_have_count(0)
    assert tooltip.locator("[id]").count() == 0  # a copy, without duplicate ids
    assert_inside_viewport(page, tooltip_box(page))
    # Only our tooltip is visible, not Material's as well.
    expect(page.locator(".md-tooltip2--active:visible")).to_have_count(0)

    page.mouse.move(5, 5)
    expect(tooltip).to_be_hidden()
    expect(link).not_to_have_attribute("aria-describedby", "factcheck-tooltip")


def test_tooltip_keeps_status_marks(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    page.locator("#cite-smith2010retracted-1").hover()
    expect(page.locator(TOOLTIP).locator(".reference-retracted")).to_have_text("Retracted")
    page.locator("#cite-dutcher2001kidney-1").hover()
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_contain_text("Kidney cancer")
    expect(tooltip.locator(".reference-unverified")).to_be_visible()


def test_tooltip_can_be_entered_with_the_pointer(feature_site, page: Page):
    """WCAG 1.4.13: the pointer can move onto the tooltip (to reach its DOI link) without it vanishing."""
    site, server = feature_site
    page.goto(server.url())
    page.locator(FIRST_CITE).hover()
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_be_visible()
    tooltip.locator(".ref-doi").hover()
    expect(tooltip).to_be_visible()
    page.mouse.move(5, 5)
    expect(tooltip).to_be_hidden()


def test_tooltip_on_keyboard_focus_and_escape(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    page.locator("body").click(position={"x": 5, "y": 300})
    for _ in range(60):  # Tab through the page to the first citation link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('a.citation-ref')"):
            break
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("cite-"), f"Tab never reached a citation (focus on {focused!r})"
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_be_visible()
    expect(page.locator(f"#{focused}")).to_have_attribute("aria-describedby", "factcheck-tooltip")
    key = page.evaluate("document.activeElement.hash.slice(5)")
    expect(tooltip).to_contain_text(page.locator(f"#ref-{key} .reference-text").inner_text())
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == focused  # focus stays where it was
    page.keyboard.press("Tab")  # the next citation shows its own entry
    if page.evaluate("document.activeElement.matches('a.citation-ref')"):
        expect(tooltip).to_be_visible()
    page.keyboard.press("Shift+Tab")
    expect(tooltip).to_be_visible()
    page.keyboard.press("Enter")  # Enter follows the link
    expect(page).to_have_url(f"{server.url()}#ref-{key}")


def test_touch_first_tap_shows_second_tap_follows(feature_site, tabs):
    site, server = feature_site
    page = tabs(viewport=PHONE, has_touch=True, is_mobile=True).page
    page.goto(server.url())
    link = page.locator(FIRST_CITE)
    link.scroll_into_view_if_needed()
    link.tap()
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_be_visible()
    assert page.url == server.url()  # not followed yet
    assert_inside_viewport(page, tooltip_box(page))
    link.tap()
    expect(page).to_have_url(server.url() + "#ref-onji1987effect")
    expect(tooltip).to_be_hidden()
    # A tap elsewhere closes a tooltip that a tap opened.
    second = page.locator("#cite-yang2003randomized-1")
    second.scroll_into_view_if_needed()
    second.tap()
    expect(tooltip).to_be_visible()
    page.locator("h1").tap()
    expect(tooltip).to_be_hidden()
    # A tooltip whose citation scrolls out of sight closes.
    second.tap()
    expect(tooltip).to_be_visible()
    page.locator("#ref-proleukinlabel").evaluate("(e) => e.scrollIntoView()")
    expect(second).not_to_be_in_viewport()
    expect(tooltip).to_be_hidden()


def test_tooltip_fits_a_phone_screen(feature_site, tabs):
    site, server = feature_site
    page = tabs(viewport=PHONE).page
    page.goto(server.url())
    for selector in ("#cite-yang2003randomized-1", "#cite-proleukinlabel-1", "#cite-dutcher2001kidney-1"):
        page.locator(selector).hover()
        tooltip = page.locator(TOOLTIP)
        expect(tooltip).to_be_visible()
        expect(tooltip).to_contain_text(page.locator(selector).get_attribute("data-factcheck-title")[:20])
        assert_inside_viewport(page, tooltip_box(page))


def test_without_javascript_the_link_and_title_remain(feature_site, tabs):
    site, server = feature_site
    page = tabs(java_script_enabled=False).page
    page.goto(server.url())
    link = page.locator(FIRST_CITE)
    assert "Effect of recombinant interleukin 2" in link.get_attribute("title")
    link.click()
    expect(page).to_have_url(server.url() + "#ref-onji1987effect")
    assert page.eval_on_selector("#ref-onji1987effect", "(e) => e.matches(':target')")


# ---------------------------------------------------------------------- navigation and anchors


def highlight_of(page: Page, selector: str) -> str:
    return page.eval_on_selector(
        selector, "(e) => getComputedStyle(e).boxShadow + ' ' + getComputedStyle(e).backgroundColor"
    )


def test_citation_to_entry_and_back(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    plain = highlight_of(page, "#ref-onji1987effect")
    page.locator(FIRST_CITE).click()
    expect(page).to_have_url(server.url() + "#ref-onji1987effect")
    entry = page.locator("#ref-onji1987effect")
    expect(entry).to_be_in_viewport()
    assert entry.evaluate("(e) => e.matches(':target')")
    assert highlight_of(page, "#ref-onji1987effect") != plain, "the entry the citation leads to is not highlighted"

    backlinks = entry.locator("a.reference-backlink")
    expect(backlinks).to_have_count(2)
    backlinks.nth(1).click()
    expect(page).to_have_url(server.url() + "#cite-onji1987effect-2")
    citation = page.locator("#cite-onji1987effect-2")
    expect(citation).to_be_in_viewport()
    assert citation.evaluate("(e) => e.matches(':target')")
    expect(citation).to_have_class("citation-ref factcheck-target")
    # The citation is not hidden under Material's fixed header.
    header_bottom = page.eval_on_selector(".md-header", "(e) => e.getBoundingClientRect().bottom")
    assert citation.bounding_box()["y"] >= header_bottom


def test_claim_anchor_opens_highlighted(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    plain = highlight_of(page, "#claim-low-dose")
    page.goto(server.url() + "#claim-low-dose")
    claim = page.locator("#claim-low-dose")
    expect(claim).to_be_in_viewport()
    assert claim.evaluate("(e) => e.matches(':target')")
    expect(claim).to_have_class("claim factcheck-target")
    assert highlight_of(page, "#claim-low-dose") != plain
    header_bottom = page.eval_on_selector(".md-header", "(e) => e.getBoundingClientRect().bottom")
    assert claim.bounding_box()["y"] >= header_bottom
    # A block claim too.
    page.goto(server.url() + "other/")
    page.goto(server.url() + "#claim-toxicity")
    expect(page.locator("div#claim-toxicity")).to_have_class("claim factcheck-target")
    expect(page.locator("div#claim-toxicity")).to_be_in_viewport()


def test_report_links_to_claims(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url("factcheck-report/"))
    page.locator("#report-claim-cure a").first.click()
    expect(page).to_have_url(server.url() + "#claim-cure")
    expect(page.locator("#claim-cure")).to_have_class("claim factcheck-target")


def test_instant_navigation(site, serve, page: Page):
    """With Material's instant navigation (`document$`), a page reached without a reload gets the same
    behaviour: highlighted target, tooltip (and no second tooltip from Material)."""
    server = serve(site.site_dir)  # first: Material intercepts only links under `site_url`, so it needs the port
    write_feature_site(site, features=("navigation.instant", "content.tooltips"))
    site.build(site_url=server.url())
    # Material intercepts links only once it has read the sitemap: a click before that reloads the page.
    with page.expect_response(lambda response: response.url.endswith("/sitemap.xml")):
        page.goto(server.url("other/"))
    page.evaluate("window.__no_reload = true")
    page.get_by_role("link", name="a claim of the article").click()
    expect(page).to_have_url(server.url() + "#claim-cure")
    assert page.evaluate("window.__no_reload === true"), "instant navigation did not happen"
    expect(page.locator("#claim-cure")).to_have_class("claim factcheck-target")
    link = page.locator("#cite-smith2010retracted-1")
    assert link.get_attribute("title") is None
    link.hover()
    expect(page.locator(TOOLTIP)).to_contain_text("retracted study")
    expect(link).to_have_attribute("aria-describedby", "factcheck-tooltip")
    expect(page.locator(".md-tooltip2--active:visible")).to_have_count(0)
    # Control: Material's tooltips are on, and this is how one looks when it shows.
    page.get_by_role("link", name="report", exact=True).hover()
    expect(page.locator(".md-tooltip2--active:visible")).to_have_text("The editors' report")
    expect(page.locator(TOOLTIP)).to_be_hidden()


# ---------------------------------------------------------------------- badges


def badge_facts(page: Page) -> list[dict]:
    return page.eval_on_selector_all(
        ".verdict-badge",
        f"""(badges) => badges.map(b => ({{
            verdict: [...b.classList].find(c => c.startsWith('verdict-') && c !== 'verdict-badge'),
            icon: b.querySelector('.verdict-icon').textContent,
            iconHidden: b.querySelector('.verdict-icon').getAttribute('aria-hidden'),
            label: b.querySelector('.verdict-label').textContent,
            ariaLabel: b.getAttribute('aria-label'),
            role: b.getAttribute('role'),
            contrast: ({CONTRAST_JS})(b.querySelector('.verdict-label')),
            visible: b.getBoundingClientRect().width > 0,
        }}))""",
    )


def check_badges(page: Page) -> None:
    facts = badge_facts(page)
    assert len(facts) >= 4 + 4  # the summary's and the claims'
    for fact in facts:
        assert fact["visible"], fact
        assert fact["role"] == "img" and fact["ariaLabel"] == f"Fact-check verdict: {fact['label']}", fact
        assert fact["iconHidden"] == "true" and fact["icon"].strip(), fact
        assert fact["contrast"] >= 4.5, fact
    # Without colour: each verdict has its own icon and its own label.
    by_verdict = {fact["verdict"]: (fact["icon"], fact["label"]) for fact in facts}
    assert len({icon for icon, _ in by_verdict.values()}) == len(by_verdict)
    assert len({label for _, label in by_verdict.values()}) == len(by_verdict)


def test_badges_light_palette(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    check_badges(page)


def test_badges_dark_palette(feature_site, tabs):
    site, server = feature_site
    page = tabs(color_scheme="dark").page
    page.goto(server.url())
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    check_badges(page)
    # The palette toggle switches back, and the badges stay readable.
    page.locator("label.md-header__button[for^='__palette']:visible").click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    check_badges(page)


def test_phone_width_layout(feature_site, tabs):
    site, server = feature_site
    page = tabs(viewport=PHONE).page
    for path in ("", "factcheck-report/"):
        page.goto(server.url(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
            f"{path}: the page scrolls sideways"
        )
    page.goto(server.url())
    content = page.eval_on_selector(".md-content__inner", "(e) => e.getBoundingClientRect().right")
    for selector in (".verdict-badge", "li.reference", ".factcheck-summary", ".claim-verdict"):
        rights = page.eval_on_selector_all(selector, "(all) => all.map(e => e.getBoundingClientRect().right)")
        assert rights and max(rights) <= content + 0.5, (selector, rights, content)
    check_badges(page)
    # Back-links are big enough to hit with a finger.
    size = page.eval_on_selector(
        "a.reference-backlink", "(e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }"
    )
    assert size[0] >= 24 and size[1] >= 24, size


# ---------------------------------------------------------------------- summary, structured data, print


def test_summary_box_up_front(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    summary = page.locator("aside.factcheck-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("4 claims reviewed on 2026-11-20")
    # Up front: in the first screen, before the text and its first claim.
    assert summary.evaluate("(e) => e.getBoundingClientRect().bottom") < page.evaluate("innerHeight")
    assert summary.evaluate(
        "(e) => [document.querySelector('.md-content .claim'), document.querySelector('.md-content h1 ~ p')]"
        ".every(other => e.compareDocumentPosition(other) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    summary.get_by_role("link").click()
    expect(page.locator(".factcheck-report")).to_be_visible()


def test_json_ld_present_and_parseable(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    scripts = page.locator("script.factcheck-claimreview")
    expect(scripts).to_have_count(1)
    reviews = [review for text in scripts.all_text_contents() for review in json.loads(text)]
    claims = page.eval_on_selector_all(".claim", "(all) => all.map(e => e.id)")
    assert len(reviews) == len(claims) == 4
    for review in reviews:
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        fragment = review["url"].rsplit("#", 1)[1]
        assert fragment in claims
        assert 1 <= review["reviewRating"]["ratingValue"] <= review["reviewRating"]["bestRating"]
        assert review["claimReviewed"]


def test_print_stylesheet(feature_site, page: Page):
    site, server = feature_site
    page.goto(server.url())
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer", ".reference-backlinks"):
        assert page.eval_on_selector(selector, "(e) => getComputedStyle(e).display") == "none", selector
    expect(page.locator(".factcheck-bibliography")).to_be_visible()
    expect(page.locator(FIRST_CITE)).to_be_visible()
    expect(page.locator("aside.factcheck-summary")).to_be_visible()
    after = page.eval_on_selector("#ref-onji1987effect a.ref-doi", "(e) => getComputedStyle(e, '::after').content")
    assert "https://doi.org/10.1136/gut.28.12.1648" in after
    # A URL is its own text already: not printed twice.
    assert page.eval_on_selector("#ref-proleukinlabel a.ref-url", "(e) => getComputedStyle(e, '::after').content") in (
        "none",
        "normal",
    )
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    assert page.eval_on_selector("#ref-onji1987effect a.ref-doi", "(e) => getComputedStyle(e, '::after').content") in (
        "none",
        "normal",
    )
