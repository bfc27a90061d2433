"""The one story every demo feedback module tells, from one place.

Workplace is the provider team its customers love and Identity & Access the one that
struggles: ratings, relationship surveys, kudos, training and follow-ups all say so.
Sales EMEA files the least clear requests and Controlling the clearest, so the clarity
figures and the training suggestions have a story too.
"""

LOVED_PROVIDER = "workplace"
STRUGGLING_PROVIDER = "identity-access"
UNCLEAR_CUSTOMER = "sales-emea"
CLEAR_CUSTOMER = "controlling"
