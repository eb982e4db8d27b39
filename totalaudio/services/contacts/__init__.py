"""The local contact base: import, list, export, and the email-domain knowledge the checks share."""
