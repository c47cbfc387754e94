"""A notebook parameter's allowed values, and the error a wrong value raises.

Kept apart from :mod:`motion_rnn.parameters` because the data loaders raise it too: their code
keys the stored rows (:mod:`motion_rnn.fingerprint`), and the notebook contract's parameters may
grow without making every stored row stale.
"""

from __future__ import annotations


class ParameterError(ValueError):
    """A notebook parameter has a value the notebook cannot run with."""


def check_choice(name: str, value: object, allowed: tuple[str, ...] | list[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise naming the allowed values."""
    if value not in allowed:
        raise ParameterError(f"{name}={value!r} is not allowed; choose one of: {', '.join(map(repr, allowed))}")
    return value  # type: ignore[return-value]
