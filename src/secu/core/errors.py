"""Errors that reach people: each carries a French message, and the field it concerns.

The hierarchy:

* SecuError                 any refusal secu explains to a person
  + InvalidField            one input field is wrong (HTTP 422, CLI exit 2)
  + NotFound                the thing asked for does not exist (404)
  + Conflict                it would duplicate or contradict what exists (409)
  + Forbidden               the caller may not see or do this (403)
  + Unauthenticated         no valid credentials (401)
  + UnknownParameter        a dated legal parameter nobody defined (a programming error)
"""

from __future__ import annotations


class SecuError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str | None]:
        return {"champ": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field} : {self.message}" if self.field else self.message


class InvalidField(SecuError):
    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class NotFound(SecuError):
    status_code = 404


class Conflict(SecuError):
    status_code = 409


class Forbidden(SecuError):
    status_code = 403


class Unauthenticated(SecuError):
    status_code = 401


class UnknownParameter(SecuError, KeyError):
    status_code = 500

    def __init__(self, name: str) -> None:
        super().__init__(f"paramètre inconnu : {name!r}", field="parametre")
        self.name = name

    def __str__(self) -> str:
        return self.message
