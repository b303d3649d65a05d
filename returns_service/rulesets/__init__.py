"""The shop's rule sets as stored versions: drafts, publishing, rollback, simulation."""
