"""Contact requests (对接请求): one organization asks the owner of a published record for contact.

Rules (each refused with a Chinese message naming the field):

* the target is a published record of another, approved organization: never one's own, a draft,
  a closed record, or a record of an organization still awaiting approval; the requesting
  organization must itself be approved;
* one open (pending) request per (requesting organization, target record);
* at most :data:`~service.contacts.service.DAILY_LIMIT` requests created per organization in any
  rolling 24 hours (429 with ``Retry-After``);
* after the owner declines, the same pair of organizations cannot request again for
  :data:`~service.contacts.service.DECLINE_COOLDOWN` (counted from the decline);
* only the target's organization answers (accept, or decline with an optional reason); only the
  requesting organization withdraws;
* contact details (each organization's contact person, phone and e-mail, and a capability's own
  contact) appear on a request only once it is accepted, to both sides — never before.
"""
