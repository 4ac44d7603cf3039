"""Login: a username and password on a device gets a token for that device."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from sync_server import auth
from sync_server.deps import AppSettings, Db
from sync_server.login_guard import Client

router = APIRouter(tags=["auth"])

DeviceId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]


class LoginRequest(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    device_id: DeviceId
    device_name: Annotated[str, Field(max_length=100)] = ""


class UserOut(BaseModel):
    id: str
    username: str
    name: str
    role: str
    property_id: str


class LoginResponse(BaseModel):
    token: str
    user: UserOut


class Problem(BaseModel):
    code: str
    message: str
    detail: dict[str, object]


PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem, "description": "auth.invalid_credentials, auth.user_deactivated"},
    403: {"model": Problem, "description": "auth.password_change_required (after a reset)"},
    422: {"model": Problem, "description": "request.invalid"},
    413: {"model": Problem, "description": "request.too_large (a login body is small)"},
    429: {
        "model": Problem,
        "description": "auth.locked (too many wrong passwords from this device or address), auth.busy (many logins"
        " at once); both with detail.retry_after seconds and a Retry-After header",
    },
}


def _guard(request: Request) -> auth.LoginGuard:
    guard: auth.LoginGuard = request.app.state.login_guard
    return guard


def _address(request: Request) -> str:
    # The peer's address: behind a reverse proxy every phone has the proxy's (see the README's operator part).
    return request.client.host if request.client else "unknown"


@router.post("/api/v1/auth/login", response_model=LoginResponse, responses=PROBLEMS)
async def login(body: LoginRequest, request: Request, db: Db, settings: AppSettings) -> LoginResponse:
    token, user = await auth.login(
        db,
        settings,
        _guard(request),
        username=body.username,
        password=body.password,
        client=Client(body.device_id, _address(request)),
        device_name=body.device_name or body.device_id,
    )
    return LoginResponse(token=token, user=UserOut(**user))


class PasswordChange(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=100)]
    device_id: DeviceId | None = Field(None, description="the device asking (counts wrong passwords per device)")
    current_password: Annotated[str, Field(min_length=1, max_length=1024)]
    new_password: Annotated[str, Field(min_length=1, max_length=1024)]


class PasswordChanged(BaseModel):
    changed: bool


@router.post(
    "/api/v1/auth/change-password",
    response_model=PasswordChanged,
    responses={
        **PROBLEMS,
        422: {"model": Problem, "description": "auth.password_too_short, auth.password_unchanged"},
    },
)
async def change_password(body: PasswordChange, request: Request, db: Db, settings: AppSettings) -> PasswordChanged:
    """Set a new password with the current one; required after a reset (login answers 403
    auth.password_change_required until then). Log in with the new password afterwards."""
    address = _address(request)
    await auth.change_password(
        db,
        settings,
        _guard(request),
        username=body.username,
        current_password=body.current_password,
        new_password=body.new_password,
        client=Client(body.device_id or f"address:{address}", address),
    )
    return PasswordChanged(changed=True)
