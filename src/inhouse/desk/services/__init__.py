"""Changes to requests, one function per use case, split by topic.

Each function takes the acting person, asks ``inhouse.policy`` whether they may,
locks the request row, applies the change, moves the SLA clocks, bumps the
request's version, writes the history through ``inhouse.desk.events`` and
notifies, all in one transaction. The portal, the API, email, chat and the CLI
all come through here.

``submit`` files requests; ``lifecycle`` moves them along and changes their
working fields; ``conversation`` holds replies, notes and files; ``links`` the
requests they wait for, their watchers and external outcome; ``transfer`` hands
them to another service; ``sweep`` records what the SLA sweep finds;
``followups`` records a follow-up's answer and reopens the request it says is
not working any more; ``workspace`` holds what agents keep for themselves
(canned replies, saved views, bulk work); ``notifications`` who hears what,
written through ``inhouse.desk.outbox``; ``erasure`` erases a person;
``retention`` removes expired confidential cases and holds them.
"""

from inhouse.desk.services._common import FIRST_REFERENCE_NUMBER, MAX_BODY, Upload
from inhouse.desk.services.conversation import add_attachment, add_comment
from inhouse.desk.services.erasure import erase_person, plan_erasure
from inhouse.desk.services.followups import answer_follow_up
from inhouse.desk.services.lifecycle import UNCHANGED, transition_request, update_request
from inhouse.desk.services.links import add_blocker, add_watcher, remove_blocker
from inhouse.desk.services.retention import apply_retention, set_legal_hold
from inhouse.desk.services.submit import submission_digest, submit_request, submit_request_once
from inhouse.desk.services.transfer import transfer_request

__all__ = [
    "FIRST_REFERENCE_NUMBER",
    "MAX_BODY",
    "UNCHANGED",
    "Upload",
    "add_attachment",
    "add_blocker",
    "add_comment",
    "add_watcher",
    "answer_follow_up",
    "apply_retention",
    "erase_person",
    "plan_erasure",
    "remove_blocker",
    "set_legal_hold",
    "submission_digest",
    "submit_request",
    "submit_request_once",
    "transfer_request",
    "transition_request",
    "update_request",
]
