"""The JSON API: one flask-smorest blueprint per part of the service."""
