"""LINE messages: linked accounts, status pushes, the Messaging API webhook."""
