"""Several prepared emails at once over SMTP: one per connection, the connections in lockstep.

One SMTP connection carries one transaction at a time and waits for the reply to each of its
commands (MAIL, RCPT, DATA, the message with its final dot): four round trips per email, in
which the sender idles while the server works and the server idles while the sender gets
the next email ready. `send_in_lockstep` runs n transactions on n connections to the same
server: each command goes out on every connection before the replies are read, so the
server always finds the next command waiting and one round trip carries n emails. Within a
connection nothing is pipelined (that needs the server's PIPELINING extension); several
connections to one server is ordinary for a mail client.

The commit point
    A server takes responsibility for an email when it has the message's final dot. Just
    before the messages and dots go out, `send_in_lockstep` calls `committing` with the
    transactions whose DATA the server accepted; the outbox notes those attempts in the sent
    journal there (core.sent_journal). A worker killed after the note has handed the email
    over (the kernel still delivers what the process had written), so the redrive marks it
    sent instead of sending it twice; a worker killed before it never sent the dot, and the
    server drops the transaction, so the redrive sends it. What remains is the few
    microseconds between the note and the write of the dot (a kill there loses the email),
    and a server that refuses the message after its dot while the worker dies before it
    marks the refusal (the email counts as sent). Noting after the server's reply instead
    leaves the whole round trip as a window in which a kill sends the email twice: with a
    mail server elsewhere on the network, most of the time an email is in flight.

Outcomes are smtplib's own exceptions, so the channel maps them as it maps smtplib.sendmail's:
SMTPSenderRefused, SMTPRecipientsRefused, SMTPDataError, SMTPServerDisconnected or another
OSError of the connection.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Transaction", "send_in_lockstep"]

SERVICE_CLOSING = 421  # the server ends the connection after this reply


@dataclass(eq=False)
class Transaction:
    """One email on one open connection. `message` is ready for the wire: CRLF line ends,
    lines starting with a dot doubled, ending in CRLF, without the final "." line.
    `outcome` is None once the server accepted the email, else what stopped it."""

    connection: smtplib.SMTP
    sender: str
    recipient: str
    message: bytes
    outcome: Exception | None = None

    @property
    def going(self) -> bool:
        return self.outcome is None


def send_in_lockstep(
    transactions: Sequence[Transaction],
    committing: Callable[[Sequence[Transaction]], None] | None = None,
) -> None:
    """Run `transactions`, each on its own connection, and set each one's `outcome`.

    `committing` is called once, with the transactions the server is ready to take the
    message of, right before their messages are written (see the module docstring)."""
    connections = {id(transaction.connection) for transaction in transactions}
    if len(connections) != len(transactions):
        raise ValueError("each transaction needs a connection of its own")
    _round(
        transactions,
        lambda t: f"MAIL FROM:<{t.sender}>\r\n".encode("ascii"),
        {250},
        lambda t, code, reply: smtplib.SMTPSenderRefused(code, reply, t.sender),
    )
    _round(
        transactions,
        lambda t: f"RCPT TO:<{t.recipient}>\r\n".encode("ascii"),
        {250, 251},
        lambda t, code, reply: smtplib.SMTPRecipientsRefused({t.recipient: (code, reply)}),
    )
    _round(transactions, lambda t: b"DATA\r\n", {354}, _data_refused)
    ready = [transaction for transaction in transactions if transaction.going]
    if ready and committing is not None:
        committing(ready)
    _round(ready, lambda t: t.message + b".\r\n", {250}, _data_refused, after_refusal=None)


def _data_refused(_transaction: Transaction, code: int, reply: bytes) -> Exception:
    return smtplib.SMTPDataError(code, reply)


def _reset(connection: smtplib.SMTP) -> None:
    """End a refused transaction, as smtplib.sendmail does; a connection gone meanwhile is
    found out by the next command."""
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        connection.rset()


def _round(
    transactions: Sequence[Transaction],
    command: Callable[[Transaction], bytes],
    accepted: set[int],
    refusal: Callable[[Transaction, int, bytes], Exception],
    after_refusal: Callable[[smtplib.SMTP], None] | None = _reset,
) -> None:
    """Write one command on every connection still going, then read every reply."""
    going = [transaction for transaction in transactions if transaction.going]
    for transaction in going:
        try:
            transaction.connection.send(command(transaction))
        except OSError as error:
            transaction.outcome = error
    for transaction in going:
        if not transaction.going:
            continue
        try:
            code, reply = transaction.connection.getreply()
        except OSError as error:
            transaction.outcome = error
            continue
        if code in accepted:
            continue
        transaction.outcome = refusal(transaction, code, reply)
        if code == SERVICE_CLOSING:
            transaction.connection.close()
        elif after_refusal is not None:
            after_refusal(transaction.connection)
