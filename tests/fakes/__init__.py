"""Loopback fakes of external services, for behaviour no published stand-in has."""
