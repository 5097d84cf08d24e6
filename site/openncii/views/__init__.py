"""Blueprints, one per audience: public pages, submission, case status, partner API."""
