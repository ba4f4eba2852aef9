"""xAPI: statements about learning sent to a learning record store, through an outbox in the database.

`record` queues a statement with the learner's write (one INSERT, only when xAPI is on), `delivery` sends the queue
in batches with retries (`flask xapi send`), `export` gives the statements of a date range as JSON. See
docs/integrations.md.
"""
