"""The agent's side: a team's queue, the request page, canned replies and saved views.

Pages read through the selectors (which apply visibility) and every change is one
service call. A queue or request the viewer may not work answers 404; a requester
who opens the agent page of their own request is sent to the portal page. Domain
errors come back as messages or form errors on the page, never as a server error.
Forms that change a request's fields carry its ``version``: a change made by
someone else meanwhile is explained on the page, and what the agent typed is kept.
"""
