"""The review workflow: the queue (what a reviewer sees next), claims and corrections (who changed what,
when and why) and the users with their roles and sessions."""
