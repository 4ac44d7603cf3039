"""Login: a username and password on a device gets a token for that device."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sync_server import auth
from sync_server.deps import AppSettings, Db

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
    429: {"model": Problem, "description": "auth.locked (detail.retry_after seconds)"},
}


@router.post("/api/v1/auth/login", response_model=LoginResponse, responses=PROBLEMS)
def login(body: LoginRequest, db: Db, settings: AppSettings) -> LoginResponse:
    token, user = auth.login(
        db,
        settings,
        username=body.username,
        password=body.password,
        device_id=body.device_id,
        device_name=body.device_name or body.device_id,
    )
    return LoginResponse(token=token, user=UserOut(**user))


class PasswordChange(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=100)]
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
def change_password(body: PasswordChange, db: Db, settings: AppSettings) -> PasswordChanged:
    """Set a new password with the current one; required after a reset (login answers 403
    auth.password_change_required until then). Log in with the new password afterwards."""
    auth.change_password(
        db, settings, username=body.username, current_password=body.current_password, new_password=body.new_password
    )
    return PasswordChanged(changed=True)
