"""Content for the public helpdesk: FAQ, support directory, eligibility check."""
