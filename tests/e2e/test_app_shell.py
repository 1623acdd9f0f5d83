"""The application shell around every page: a focus ring that stands out in light and dark
(WCAG 2.2 1.4.11 and 2.4.13, computed from the rendered colours), a one-line header on a
phone with the navigation behind "Menu", a skip link, and focus on the main content after
sign-in."""

import re
from typing import Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import open_page, screenshot, sign_in

# The colours the browser resolved for the focused element's ring, the nearest opaque
# background under it, and the palette's two backgrounds (surface: cards; page: around).
RING_AND_BACKGROUNDS = """() => {
  const focused = document.activeElement;
  const style = getComputedStyle(focused);
  let under = focused.parentElement;
  while (under && getComputedStyle(under).backgroundColor === "rgba(0, 0, 0, 0)") {
    under = under.parentElement;
  }
  const resolved = (variable) => {
    const probe = document.createElement("div");
    probe.style.backgroundColor = `var(${variable})`;
    document.body.append(probe);
    const colour = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return colour;
  };
  return {
    ring: style.outlineColor, ringStyle: style.outlineStyle,
    ringWidth: parseFloat(style.outlineWidth),
    under: getComputedStyle(under ?? document.documentElement).backgroundColor,
    surface: resolved("--surface"), page: resolved("--page"),
  };
}"""


def channels(colour: str) -> tuple[float, float, float]:
    """sRGB channels from 0 to 1 of a computed colour: rgb(…)/rgba(…) or color(srgb …)."""
    if colour.startswith("color(srgb"):
        red, green, blue = (float(part) for part in colour[11:-1].split()[:3])
        return red, green, blue
    numbers = [float(number) for number in re.findall(r"[\d.]+", colour)[:3]]
    return numbers[0] / 255, numbers[1] / 255, numbers[2] / 255


def luminance(colour: str) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_has_3_to_1_against_the_surface_and_the_page(
    page: Page, scheme: Literal["light", "dark"]
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto("/sign-in")
    page.get_by_label("Username").focus()
    page.keyboard.press("Tab")  # by keyboard: :focus-visible draws the ring
    expect(page.get_by_label("Password")).to_be_focused()
    colours = page.evaluate(RING_AND_BACKGROUNDS)
    assert colours["ringStyle"] == "solid" and colours["ringWidth"] >= 2, colours
    for background in ("under", "surface", "page"):
        ratio = contrast(colours["ring"], colours[background])
        assert ratio >= 3, f"{scheme}: ring {colours['ring']} on {background} is {ratio:.2f}:1"
    assert colours["surface"] != colours["page"], colours  # the two backgrounds differ
    if scheme == "dark":  # dark mode is on: a dark surface under the ring
        assert luminance(colours["surface"]) < 0.1, colours


def test_a_phone_header_keeps_to_one_line_with_the_navigation_behind_menu(
    browser: Browser, server: str
) -> None:
    with open_page(browser, server, width=390, height=800) as page:
        sign_in(page)
        header = page.locator(".app-header")
        box = header.bounding_box()
        assert box is not None and box["height"] <= 64, box
        sign_out = page.get_by_role("button", name="Sign out", exact=True)
        sign_out_box = sign_out.bounding_box()
        assert sign_out_box is not None
        # One line box: "Sign out" does not break in two, and stays inside the screen.
        assert sign_out.evaluate("button => button.getClientRects().length") == 1
        assert sign_out_box["height"] < 2 * float(
            sign_out.evaluate("button => parseFloat(getComputedStyle(button).lineHeight)")
        )
        assert sign_out_box["x"] + sign_out_box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        expect(page.locator(".account-name")).to_contain_text("Alex Admin")

        navigation = page.get_by_role("navigation", name="Main")
        menu = page.get_by_role("button", name="Menu")
        expect(navigation).to_be_hidden()
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(navigation.get_by_role("link", name="Webhooks")).to_be_visible()
        screenshot(page, "header-phone-menu-open")
        page.keyboard.press("Escape")
        expect(navigation).to_be_hidden()
        expect(menu).to_be_focused()

        menu.click()
        navigation.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
        expect(navigation).to_be_hidden()  # the menu closes once it has taken you there
        box = header.bounding_box()
        assert box is not None and box["height"] <= 64, box
        screenshot(page, "header-phone")


@pytest.mark.parametrize("width", [1280, 1024])
def test_a_wide_header_shows_the_navigation_in_one_line(
    browser: Browser, server: str, width: int
) -> None:
    with open_page(browser, server, width=width) as page:
        sign_in(page)
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        navigation = page.get_by_role("navigation", name="Main")
        expect(navigation.get_by_role("link", name="Webhooks")).to_be_visible()
        box = page.locator(".app-header").bounding_box()
        assert box is not None and box["height"] <= 64, box
        screenshot(page, f"header-{width}")


def test_sign_in_puts_focus_on_the_main_content(page: Page) -> None:
    sign_in(page)
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the page, not back in the header
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_the_skip_link_comes_first_and_moves_focus_to_the_main_content(page: Page) -> None:
    sign_in(page)
    page.goto("/account")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, box  # shown once focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("/account")  # no #main left in the address
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_print_shows_the_content_black_on_white_without_header_or_buttons(
    page: Page, scheme: Literal["light", "dark"]
) -> None:
    sign_in(page)
    page.goto("/staff")
    expect(page.get_by_role("tab", name=re.compile("^Active"))).to_be_visible()
    page.emulate_media(media="print", color_scheme=scheme)
    expect(page.locator(".app-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Add Staff")).to_be_hidden()
    expect(page.get_by_role("tab", name=re.compile("^Active"))).to_be_visible()  # what the list is
    expect(page.get_by_role("tab", name=re.compile("^Pending"))).to_be_hidden()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    colours = page.evaluate(
        """() => ({
          page: getComputedStyle(document.documentElement).backgroundColor,
          card: getComputedStyle(document.querySelector("main .card, main")).backgroundColor,
          text: getComputedStyle(document.querySelector("main h1")).color,
        })"""
    )
    assert colours["page"] == "rgb(255, 255, 255)", colours
    assert colours["card"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), colours
    assert colours["text"] == "rgb(0, 0, 0)", colours


def test_forced_colours_keep_the_current_tab_and_primary_buttons_visible(page: Page) -> None:
    sign_in(page)
    page.goto("/staff")
    page.emulate_media(forced_colors="active")
    expect(page.get_by_role("tab", name=re.compile("^Active"))).to_be_visible()
    colours = page.evaluate(
        """() => {
          const style = (selector) => getComputedStyle(document.querySelector(selector));
          const under = (element) => {
            while (element && getComputedStyle(element).backgroundColor === "rgba(0, 0, 0, 0)") {
              element = element.parentElement;
            }
            return getComputedStyle(element ?? document.documentElement).backgroundColor;
          };
          const primary = document.querySelector("button.primary");
          return {
            current: style("[role=tab][aria-selected=true]").borderBottomColor,
            other: style("[role=tab][aria-selected=false]").borderBottomColor,
            behind: under(document.querySelector("[role=tablist]")),
            primaryText: getComputedStyle(primary).color, primaryBack: under(primary),
          };
        }"""
    )
    assert contrast(colours["current"], colours["behind"]) >= 3, colours
    assert contrast(colours["other"], colours["behind"]) < 1.1, colours  # no underline
    assert contrast(colours["primaryText"], colours["primaryBack"]) >= 4.5, colours


def test_selects_look_like_the_inputs_beside_them(page: Page) -> None:
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API clients").click()
    page.get_by_role("button", name="Create API client").click()
    looks = page.evaluate(
        """() => {
          const look = (element) => {
            const style = getComputedStyle(element);
            return { appearance: style.appearance, height: element.getBoundingClientRect().height,
                     border: style.borderTopColor, radius: style.borderTopLeftRadius,
                     background: style.backgroundColor, font: style.fontSize,
                     arrow: style.backgroundImage };
          };
          return { input: look(document.querySelector("#api-client-name, form input[type=text]")),
                   select: look(document.querySelector("#api-client-expiry")) };
        }"""
    )
    select, text_input = looks["select"], looks["input"]
    assert select["appearance"] == "none", looks  # not the platform's own control
    assert "gradient" in select["arrow"], looks  # the drawn arrow
    for same in ("border", "radius", "background", "font"):
        assert select[same] == text_input[same], (same, looks)
    assert abs(select["height"] - text_input["height"]) <= 2, looks
