"""Secrets: the OS keyring first, an environment variable for cron, never a file.

A secret is named like ``hubspot`` (an API token), ``hubspot.refresh`` or ``smtp``
(the SMTP password). The environment variable for ``name`` is
``DRIFTCHECK_<NAME>`` upper-cased with dots and dashes as underscores, and a
plain token name gets ``_TOKEN`` (``hubspot`` -> ``DRIFTCHECK_HUBSPOT_TOKEN``);
``smtp`` is ``DRIFTCHECK_SMTP_PASSWORD``. The environment wins over the keyring,
so a cron job can run on a headless server with no keyring backend.

keyring is imported only when a secret is actually needed.
"""

from __future__ import annotations

import os

from .errors import AuthError

__all__ = ["SERVICE", "delete_secret", "env_var_for", "get_secret", "set_secret", "secret_source"]

#: The keyring service name every driftcheck secret is stored under.
SERVICE = "driftcheck"

_SPECIAL_ENV = {"smtp": "DRIFTCHECK_SMTP_PASSWORD"}


def env_var_for(name: str) -> str:
    """The environment variable that can hold the secret ``name``."""
    if name in _SPECIAL_ENV:
        return _SPECIAL_ENV[name]
    key = name.upper().replace(".", "_").replace("-", "_")
    if "." not in name:
        key += "_TOKEN"
    return f"DRIFTCHECK_{key}"


def _no_backend_message(name: str) -> str:
    return (
        f"no OS keyring is available on this machine to hold the '{name}' secret. "
        f"Set the environment variable {env_var_for(name)} instead (for cron, in the crontab "
        "or a file only the cron user can read), or install a keyring backend "
        "(for example gnome-keyring with a D-Bus session)."
    )


def get_secret(name: str) -> str | None:
    """The secret ``name`` from the environment or the keyring; None if it is not set.

    Raises:
        AuthError: no keyring backend exists and the environment variable is not set.
    """
    value = os.environ.get(env_var_for(name))
    if value:
        return value
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        return keyring.get_password(SERVICE, name)
    except NoKeyringError as exc:
        raise AuthError(_no_backend_message(name)) from exc
    except KeyringError as exc:
        raise AuthError(f"the OS keyring refused to read '{name}': {type(exc).__name__}") from exc


def secret_source(name: str) -> str | None:
    """Where the secret ``name`` would come from: ``"env"``, ``"keyring"`` or None (never the value)."""
    if os.environ.get(env_var_for(name)):
        return "env"
    try:
        return "keyring" if get_secret(name) else None
    except AuthError:
        return None


def set_secret(name: str, value: str) -> None:
    """Store the secret ``name`` in the OS keyring.

    Raises:
        AuthError: no keyring backend exists (the message says to use the environment variable).
    """
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        keyring.set_password(SERVICE, name, value)
    except NoKeyringError as exc:
        raise AuthError(_no_backend_message(name)) from exc
    except KeyringError as exc:
        raise AuthError(f"the OS keyring refused to store '{name}': {type(exc).__name__}") from exc


def delete_secret(name: str) -> bool:
    """Remove the secret ``name`` from the keyring; False if it was not there."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, name)
        return True
    except PasswordDeleteError:
        return False
    except NoKeyringError as exc:
        raise AuthError(_no_backend_message(name)) from exc
    except KeyringError as exc:
        raise AuthError(f"the OS keyring refused to delete '{name}': {type(exc).__name__}") from exc
