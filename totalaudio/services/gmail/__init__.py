"""Gmail: sort replies (human, auto_reply, bounce, unsubscribe), watch the mailbox, send personal pitches."""
