"""When a training child asked to stop is ended anyway: the rule and the sentence that says why.

A child asked to stop leaves its batches, validates, evaluates and saves the
run it keeps; under load, and niced, that can take a while. So it is killed
only when it shows no sign of life (no event, no CPU used) for
`STOP_GRACE_SECONDS` (frozen, or stuck where it cannot read the request), or
when it has not ended `STOP_LIMIT_SECONDS` after the request.
"""

from __future__ import annotations

import time

from lib.i18n import LazyText, _

# After a stop request: how long a child may show no sign of life (one that is frozen or stuck), and how long it
# may take in all to end its run (its last epoch's validation, the test evaluation and the saving).
STOP_GRACE_SECONDS = 15.0
STOP_LIMIT_SECONDS = 180.0


def stop_overdue(requested_at: float | None, last_sign_at: float | None, grace: float,
                 now: float | None = None) -> str | None:
    """Why a child asked to stop at `requested_at` should now be killed: "silent" when it has shown no sign of
    life for `grace` seconds since the request or its last sign after it, "slow" when it has not ended within
    `STOP_LIMIT_SECONDS`; None while it may go on winding down (or was not asked)."""
    if requested_at is None:
        return None
    now = time.monotonic() if now is None else now
    if now - max(requested_at, last_sign_at or requested_at) > grace:
        return "silent"
    if now - requested_at > STOP_LIMIT_SECONDS:
        return "slow"
    return None


def killed_after_stop_message(reason: str, grace: float) -> LazyText:
    """What a stopped job's page says when its child was ended for `reason` (stop_overdue's)."""
    if reason == "slow":
        return LazyText(lambda: _(
            "The training process had not ended {seconds:g} s after the stop request and was ended; its unfinished "
            "run was removed.").format(seconds=STOP_LIMIT_SECONDS))
    return LazyText(lambda: _(
        "The training process showed no sign of life for {seconds:g} s after the stop request and was ended; its "
        "unfinished run was removed.").format(seconds=grace))
