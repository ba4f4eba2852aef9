"""LTI 1.3: the platform as a tool that an LMS launches, with results back to the LMS gradebook (AGS).

One module per step: `claims` (the names of the spec), `registrations` (the LMSes that may launch), `tool_key` (our
RSA key and JWKS), `platform_keys` (the LMSes' published keys), `launch` (login initiation and the checks of a
launch), `links` (which person, which module, where the result goes) and `scores` (the outbox and its delivery).
Written on joserfc and requests rather than PyLTI1p3: see docs/integrations.md for why.
"""
