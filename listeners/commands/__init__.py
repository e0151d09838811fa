from slack_bolt.async_app import AsyncApp

from listeners.commands.nox import ack_nox, open_nox_modal


def register(app: AsyncApp) -> None:
    # Opening a modal is the one thing done after the ack, as a lazy (in-process, non-durable) step:
    # if it is lost, the user runs the command again. Everything durable is queued before the ack.
    app.command("/nox")(ack=ack_nox, lazy=[open_nox_modal])
