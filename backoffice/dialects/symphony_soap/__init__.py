"""The Symphony API V1.0 (SymphonyAPI.asmx): an ASP.NET ASMX web service for events, contacts,
bookings and attendees."""
