"""Driving the Flet web app like a person: by the labels and texts on screen (Flutter's accessibility tree)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.browser.conftest import SCREENSHOTS

WAIT_MS = 30_000


class Phone:
    def __init__(self, page: Any, url: str) -> None:
        self.page, self.url = page, url

    def open(self) -> None:
        self.page.goto(self.url)
        self.page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=90_000)
        time.sleep(1)
        self.page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
        time.sleep(0.5)

    def button(self, name: str, *, exact: bool = True) -> Any:
        return self.page.get_by_role("button", name=name, exact=exact).first

    def tap(self, name: str, *, exact: bool = True) -> None:
        self.button(name, exact=exact).click()
        time.sleep(0.4)

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()
        time.sleep(0.6)

    def fill(self, label: str, text: str) -> None:
        box = self.page.get_by_role("textbox", name=label).first
        for _ in range(3):
            box.click()
            # Flutter attaches its text editing to the field after the tap; filling before that is lost.
            time.sleep(0.5)
            box.fill(text)
            time.sleep(0.5)
            try:
                if box.input_value(timeout=2_000) == text:
                    return
            except Exception:  # not an editable element now (redrawn): tap it again
                pass
        raise AssertionError(f"could not type into {label!r}")

    def see(self, text: str, *, exact: bool = False, timeout: int = WAIT_MS) -> None:
        try:
            # Flutter puts some texts in a node's label (a group, a button) rather than its text.
            found = self.page.get_by_text(text, exact=exact).or_(self.page.get_by_label(text, exact=exact))
            found.first.wait_for(state="visible", timeout=timeout)
        except Exception:
            # What the screen showed instead is the first thing to look at when this fails.
            safe = "".join(ch if ch.isalnum() else "_" for ch in text)[:40]
            self.shot(f"FAILED-{safe}")
            raise

    def shows(self, text: str) -> bool:
        return (self.page.get_by_text(text).or_(self.page.get_by_label(text))).count() > 0

    def pick_photo(self, button: str, path: Path) -> None:
        with self.page.expect_file_chooser(timeout=WAIT_MS) as chooser:
            self.button(button).click()
        chooser.value.set_files(str(path))
        time.sleep(1.5)

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        time.sleep(1.0)  # let Flutter finish the frame
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def choose(phone: Phone, name: str) -> None:
    """Tap a choice chip (Flutter exposes chips as checkboxes)."""
    phone.page.get_by_role("checkbox", name=name, exact=True).first.click()
    time.sleep(0.5)
