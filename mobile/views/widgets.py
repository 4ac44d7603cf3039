"""Small building blocks shared by the screens: touch-sized buttons, choice chips, sections, problems."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flet as ft

from mobile.state.messages import problem_message
from mobile.state.ports import Problem
from shared.i18n import Translator

TOUCH = 52  # px: comfortably above the 48 px minimum touch target, with gloves
MIN_TOUCH = 48  # px: the minimum for anything tapped (Material and Apple guidelines)


def primary(text: str, on_click: Callable[..., Any], *, icon: Any = None, expand: bool = False) -> ft.Control:
    return ft.FilledButton(content=text, icon=icon, on_click=on_click, height=TOUCH, expand=expand)


def secondary(text: str, on_click: Callable[..., Any], *, icon: Any = None, expand: bool = False) -> ft.Control:
    return ft.OutlinedButton(content=text, icon=icon, on_click=on_click, height=TOUCH, expand=expand)


def choices(
    options: Sequence[tuple[Any, str]], selected: Any, on_pick: Callable[[Any], None], *, allow_none: bool = False
) -> ft.Control:
    """A wrapping row of choice chips; tapping the chosen one again clears it when ``allow_none``."""

    def handler(value: Any) -> Callable[[Any], None]:
        def pick(_: Any) -> None:
            on_pick(None if (allow_none and value == selected) else value)

        return pick

    chips = [
        ft.Chip(
            label=ft.Text(label),
            selected=value == selected,
            on_select=handler(value),
            show_checkmark=False,
            height=MIN_TOUCH,  # a chip is 32-34 px by default: too small a target for a thumb in a glove
        )
        for value, label in options
    ]
    return ft.Row(chips, wrap=True, spacing=6, run_spacing=6)


def section(title: str, controls: list[ft.Control]) -> ft.Control:
    return ft.Column(
        [ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD), *controls],
        spacing=6,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )


def screen(controls: list[ft.Control], spacing: int = 10) -> ft.Column:
    """A screen's column: children take the full width, so cards and buttons are easy to hit."""
    return ft.Column(controls, spacing=spacing, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def card(
    title: str, subtitle: str = "", *, on_click: Callable[..., Any] | None = None, warn: bool = False
) -> ft.Control:
    rows: list[ft.Control] = [ft.Text(title, weight=ft.FontWeight.W_600)]
    if subtitle:
        rows.append(ft.Text(subtitle, size=13, color=ft.Colors.ERROR if warn else ft.Colors.ON_SURFACE_VARIANT))
    return ft.Container(
        content=ft.Column(rows, spacing=2),
        padding=ft.Padding.symmetric(horizontal=14, vertical=14),  # two lines of text clear 48 px
        border_radius=10,
        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH,
        on_click=on_click,
        ink=on_click is not None,
    )


def confirm_box(text: str, yes: str, on_yes: Callable[..., Any], no: str, on_no: Callable[..., Any]) -> ft.Control:
    """An "are you sure?" in the screen itself (not a dialog): the question, then the way on and the way back."""
    return ft.Container(
        ft.Column(
            [
                ft.Text(text, weight=ft.FontWeight.W_600),
                ft.Row(
                    [
                        ft.FilledButton(
                            content=yes,
                            on_click=on_yes,
                            height=TOUCH,
                            expand=True,
                            style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR),
                        ),
                        ft.OutlinedButton(content=no, on_click=on_no, height=TOUCH, expand=True),
                    ],
                ),
            ],
            spacing=8,
        ),
        padding=12,
        border_radius=10,
        bgcolor=ft.Colors.ERROR_CONTAINER,
    )


def problem_texts(tr: Translator, problems: Sequence[Problem]) -> list[ft.Control]:
    return [ft.Text(problem_message(tr, p), color=ft.Colors.ERROR, weight=ft.FontWeight.W_500) for p in problems]


def field(label: str, value: str, on_change: Callable[[str], None], **kwargs: Any) -> ft.TextField:
    def changed(e: Any) -> None:
        on_change(e.control.value or "")

    return ft.TextField(label=label, value=value, on_change=changed, **kwargs)


def back(tr: Translator, on_click: Callable[..., Any]) -> ft.Control:
    """The way back from a sub-screen (a form or a detail) to where it was opened from."""
    return ft.Row(
        [ft.TextButton(content=tr.t("common.back"), icon=ft.Icons.ARROW_BACK, on_click=on_click, height=TOUCH)]
    )
