"""Changes to requests. ``requests`` holds the request lifecycle; ``workspace``
holds what agents keep for themselves (canned replies, saved views, bulk work);
``notifications`` the in-app notices."""

from inhouse.desk.services.requests import (
    UNCHANGED,
    Upload,
    add_attachment,
    add_blocker,
    add_comment,
    add_watcher,
    remove_blocker,
    submission_digest,
    submit_request,
    submit_request_once,
    transfer_request,
    transition_request,
    update_request,
)

__all__ = [
    "UNCHANGED",
    "Upload",
    "add_attachment",
    "add_blocker",
    "add_comment",
    "add_watcher",
    "remove_blocker",
    "submission_digest",
    "submit_request",
    "submit_request_once",
    "transfer_request",
    "transition_request",
    "update_request",
]
