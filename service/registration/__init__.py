"""Joining on one's own: self-registration of an organization and its first user, e-mail
confirmation, password reset, invitations of colleagues, and the coordinators' approval.

A self-registered organization starts ``pending``: its users can log in and prepare records, but
nobody outside it (except staff) sees the organization or its records until a coordinator
approves it (``service.domain.access``). A coordinator may instead return it with a reason; the
organization fixes its data and resubmits.

Account mail (confirmation, reset, invitation) carries a single-use token that expires; only its
SHA-256 digest is stored (``account_tokens``), like bearer tokens.
"""
