"""User accounts: creating them, signing in and out, the administration of accounts and of the access journal."""
