"""Shared encoders and decoders: JSON, XML, CSV, HTML, WCF dates. No business logic here."""
