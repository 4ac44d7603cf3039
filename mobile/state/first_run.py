"""First run: server address, login (the only step that needs the network) and language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mobile.state.ports import Problem
from shared.errors import PatrolError
from shared.i18n import DEFAULT_LOCALE, LOCALES

# login(server_url, username, password) -> user dict; raises PatrolError, or OSError-like errors when unreachable.
Login = Callable[[str, str, str], dict[str, Any]]
# change_password(server_url, username, current, new); raises PatrolError (too short, unchanged, wrong current).
ChangePassword = Callable[[str, str, str, str], None]


def normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = "http://" + url
    return url


class FirstRunForm:
    def __init__(
        self,
        *,
        login: Login,
        server_url: str = "",
        locale: str = DEFAULT_LOCALE,
        change_password: ChangePassword | None = None,
    ) -> None:
        self.login = login
        self.change_password = change_password
        self.must_change = False  # the password was reset: choose a new one before logging in
        self.current_password = ""  # the temporary one, kept only until the change
        self.new_password = ""
        self.repeat_password = ""
        self.server_url = server_url
        self.username = ""
        self.password = ""
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self.busy = False
        self.user: dict[str, Any] | None = None

    def submit(self) -> Problem | None:
        if not (self.server_url.strip() and self.username.strip() and self.password):
            return Problem("first_run.missing")
        self.busy = True
        try:
            self.user = self.login(normalize_url(self.server_url), self.username.strip(), self.password)
        except PatrolError as e:
            if e.code == "auth.password_change_required" and self.change_password is not None:
                self.must_change, self.current_password = True, self.password
                return None
            return Problem("first_run.failed", text=e.message, code=e.code, detail=dict(e.detail))
        except OSError:
            return Problem("first_run.unreachable")
        finally:
            self.busy = False
            self.password = ""  # never keep it: the device token replaces it
        return None

    def submit_new_password(self) -> Problem | None:
        """Set the chosen password with the temporary one, then log in with it."""
        if not self.new_password:
            return Problem("first_run.missing")
        if self.new_password != self.repeat_password:
            return Problem("first_run.passwords_differ")
        assert self.change_password is not None
        url, name = normalize_url(self.server_url), self.username.strip()
        self.busy = True
        try:
            self.change_password(url, name, self.current_password, self.new_password)
            self.user = self.login(url, name, self.new_password)
        except PatrolError as e:
            return Problem("first_run.failed", text=e.message, code=e.code, detail=dict(e.detail))
        except OSError:
            return Problem("first_run.unreachable")
        finally:
            self.busy = False
        self.must_change = False
        self.current_password = self.new_password = self.repeat_password = ""
        return None
