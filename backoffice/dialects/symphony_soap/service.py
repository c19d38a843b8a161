"""The Symphony API V1.0 (``SymphonyAPI.asmx``) as an ASMX service description: its operations,
their parameters in wire order, and the result types, from which the host derives the WSDL, the
help pages and the (de)serialisation.

Names, casing and order are the vendor's (docs/dev/symphony-soap-seed-digest.md §2, §5), including
its inconsistencies (``ContactID`` beside ``ContactId``, ``eventid`` in two operations). Where the
vendor's pages were cut short, the members seen come first in their order and ours follow; every
member and type name of our own is listed in docs/symphony_soap.md.
"""

from __future__ import annotations

from ...wire.asmx import ComplexType, ListOf, Member, Operation, Service, Xsd

NAMESPACE = "https://developer.sym-online.com/API/1_0/SOAP/"
PATH = "/API/1_0/SOAP/SymphonyAPI.asmx"

S, N, B, D, M = Xsd.STRING, Xsd.INT, Xsd.BOOLEAN, Xsd.DATETIME, Xsd.DECIMAL  # N: a number (int)


def _m(spec: str, xsd: Xsd) -> tuple[Member, ...]:
    """Members of one XSD type from a space-separated list of names."""
    return tuple(Member(name, xsd) for name in spec.split())


def _type(name: str, *members: Member | tuple[Member, ...]) -> ComplexType:
    flat: list[Member] = []
    for m in members:
        flat.extend(m if isinstance(m, tuple) else (m,))
    return ComplexType(name, tuple(flat))


AUTHENTICATION_HEADER = _type("AuthenticationHeader", _m("Timestamp Operation Signature APIKey", S))

CONTACT_TOKEN = _type("ContactTokenResponse", Member("ContactId", N), Member("ContactEmail", S))
LOG_ON = _type("LogOnResponse", Member("ContactID", N), Member("ContactName", S), Member("ContactRegStatus", N))
ATTENDEE_LOG_ON = _type(
    "AttendeeLogOnResponse", Member("AttendeeID", N), Member("BookingID", N), _m("Forename Surname", S),
    Member("AttendeeReference", S), Member("EventId", N), Member("ContactId", N), Member("Email", S))
ABSTRACTS_USER = _type("AbstractsUserResponse", Member("ClientUserId", N))

CONTACT_EVENT = _type(
    "ContactEventResponse", Member("ContactId", N), Member("EventId", N), Member("EventName", S),
    _m("StartDate EndDate", D), Member("IsArchived", B), Member("ExternalSystemId", S))
_HISTORY_LEAD = (Member("EventId", N), _m("EventTitle Description", S), _m("EndDate StartDate", D),
                 Member("AttendeeStatus", S))
CONTACT_EVENT_HISTORY = _type(
    "ContactEventHistoryResponse", *_HISTORY_LEAD, Member("BookingId", N), Member("BookingReference", S),
    Member("AttendeeReference", S))
CONTACT_EVENT_HISTORY2 = _type(
    "ContactEventHistoryResponse2", *_HISTORY_LEAD, Member("AttendeeId", N), Member("AttendeeReference", S),
    Member("BookingId", N), _m("BookingReference BookingStatus ExternalSystemId", S))
BOOKABLE_SESSION = _type(
    "BookableSessionResponse", Member("BookableSessionId", N), _m("Title Code", S), Member("AllowGuests", B),
    Member("Capacity", N), Member("EndDateTime", D), Member("StartDateTime", D))
ATTENDEE_TYPE = _type("AttendeeTypeResponse", Member("AttendeeTypeId", N), Member("Name", S))
TICKET_TYPE = _type(
    "TicketTypeResponse", Member("TicketTypeId", N), Member("Name", S), Member("Capacity", N),
    _m("GrossPrice TaxRate", M), Member("AttendeeTypes", ListOf(ATTENDEE_TYPE)), Member("ExternalSite", S),
    Member("MinAge", N), Member("EventId", N), Member("Booked", N))
ATTENDEE = _type(
    "AttendeeResponse", Member("AttendeeId", N), Member("AttendeeReference", S), Member("ContactId", N),
    Member("AttendeeTypeId", N), Member("AttendeeType", S), Member("TicketTypeId", N), Member("TicketType", S),
    _m("Title Forename Surname Email Organisation AttendeeStatus", S), _m("GrossPrice NetPrice Tax", M))
_BOOKING_LEAD = (Member("BookingId", N), _m("BookingReference BookingStatus", S), Member("CreatedDate", D))
BOOKING = _type(
    "BookingResponse", *_BOOKING_LEAD, _m("GrossCost NetCost Tax", M), Member("IsTest", B),
    Member("Attendees", ListOf(ATTENDEE)), Member("EventId", N), Member("LeadContactId", N),
    _m("PurchaseOrderNumber Notes", S))
BOOKING_EXT = _type(
    "BookingExtResponse", *_BOOKING_LEAD, _m("GrossCost NetCost Tax", M), Member("IsTest", B),
    Member("EventId", N), Member("EventName", S), Member("LeadContactId", N), _m("LeadName LeadEmail", S),
    Member("AttendeeCount", N), Member("Attendees", ListOf(ATTENDEE)))
SIMPLE_BOOKING = _type(
    "SimpleBookingResponse", Member("BookingId", N), Member("AttendeeId", N),
    _m("BookingReference AttendeeReference", S))
SURNAME_SEARCH = _type(
    "AttendeeSurnameSearchResponse", Member("AttendeeId", N), Member("AttendeeReference", S),
    Member("BookingId", N), _m("BookingReference Title Forename Surname Email Organisation AttendeeStatus", S))
ABSTRACT_VOTE = _type(
    "AbstractVoteResponse", Member("AbstractVoteId", N), Member("ClientUserId", N), Member("Reviewer", S),
    Member("Score", N), Member("Comment", S))
SUBMISSION = _type(
    "SubmissionDetailResponse", _m("AbstractUrl AbstractFileKey AbstractText AbstractRtfText", S),
    Member("AbstractVotes", ListOf(ABSTRACT_VOTE)), Member("SubmissionId", N), Member("BookingId", N),
    Member("Title", S))
INVOICE_PAYMENT = _type(
    "InvoicePaymentResponse", Member("PaymentId", N), Member("PaymentDate", D), Member("Amount", M),
    _m("PaymentMethod Reference", S))
INVOICE = _type(
    "InvoiceDetailsResponse", _m("InvoiceReference InvoiceUrl", S), _m("TotalGross TotalNet", M),
    Member("PaymentStatus", S), Member("InvoicePayments", ListOf(INVOICE_PAYMENT)), Member("TotalTax", M),
    Member("BookingId", N))
EXTERNAL_SYSTEM_ID_REQUEST = _type(
    "EventExternalSystemIdRequest", Member("EventId", N), Member("ExternalSystemId", S))

# What an attendee is sent as: three generations of the vendor's request object.
_PERSON = (_m("Title Forename Surname Organisation Occupation PAName", S), Member("MarketingOptOut", B),
           _m("Line1 Line2 Line3 Town County Postcode Country", S))
ATTENDEE_REQUEST = _type(
    "AttendeeRequest", Member("AttendeeTypeId", N), Member("ContactId", N), _m("Reference Code", S),
    Member("TicketTypeId", N), *_PERSON, _m("Email Telephone Mobile", S))
ATTENDEE_REQUEST2 = _type(
    "AttendeeRequest2", Member("AttendeeTypeId", N), Member("ContactId", N), Member("TicketTypeId", N), *_PERSON,
    _m("Email Telephone Mobile", S))
ATTENDEE_REQUEST3 = _type(
    "AttendeeRequest3", Member("AttendeeTypeId", N), Member("ContactId", N), Member("TicketTypeId", N), *_PERSON,
    _m("Email Telephone Mobile Reference Code", S))

_CONTACT_DETAILS = (
    _m("email title forename surname organisation occupation paName", S), Member("marketingOptOut", B),
    _m("line1 line2 line3 town county postcode country telephone fax mobile website reference code", S))


def _op(name: str, description: str, params: tuple[Member | tuple[Member, ...], ...],
        result: Xsd | ComplexType | ListOf | None) -> Operation:
    flat: list[Member] = []
    for p in params:
        flat.extend(p if isinstance(p, tuple) else (p,))
    return Operation(name, description, tuple(flat), result)


def _p(name: str, xsd: Xsd | ComplexType | ListOf) -> Member:
    return Member(name, xsd)


OPERATIONS: tuple[Operation, ...] = (
    # Contacts, log-on, tokens
    _op("GenerateTokenForContact",
        "This method can be used to generate a unique token that can later be used with the "
        "VerifyTokenForContact method. Each call to this method will delete all other tokens for this "
        "'contactId' and 'tokenType' combination. Options for 'tokenType' are [ContactRegistration]",
        (_p("tokenType", S), _p("contactId", N), _p("isSingleUse", B)), CONTACT_TOKEN),
    _op("VerifyTokenForContact",
        "This method can be used to validate a token generated by the GenerateTokenForContact method. If "
        "'IsSingleUse' is true (set when generating the token) then the token will be invalidated after the "
        "first use of this endpoint. Options for 'tokenType' are [ContactRegistration]",
        (_p("tokenType", S), _p("tokenValue", S)), CONTACT_TOKEN),
    _op("CheckLogOn", "This method can be used to check if a contact login is correct.",
        (_p("emailAddress", S), _p("password", S)), LOG_ON),
    _op("CheckAttendeeLogOn", "This method can be used to check if an attendee login is correct.",
        (_p("emailAddress", S), _p("password", S), _p("attendeeId", N), _p("bookingId", N)), ATTENDEE_LOG_ON),
    _op("AuthenticateAbstractsUser",
        "This method can be used to check a username and password combination is valid for an abstracts user.",
        (_p("username", S), _p("password", S)), ABSTRACTS_USER),
    _op("SubmitContact", "This method can be used to add a contact.",
        (*_CONTACT_DETAILS, _p("dateOfBirth", D)), N),
    _op("UpdateContact", "This method can be used to update an existing contact.",
        (_p("contactId", N), *_CONTACT_DETAILS, _p("dateOfBirth", S), _p("password", S), _p("reg_status", N),
         _p("profile_string", S)), N),
    _op("UpdateContact2", "This method can be used to update an existing contact, submitting only basic details.",
        (_p("contactId", N), _m("email title forename surname organisation occupation country", S),
         _p("marketingOptOut", B), _p("password", S), _p("reg_status", N), _p("profileValueIds", ListOf(N))), N),
    # Events, sessions, ticket types
    _op("GetEventsByContactId", "This method returns all events associated with a contact.",
        (_p("contactId", N), _p("includeArchived", B), _p("isTestBookingForm", B)), ListOf(CONTACT_EVENT)),
    _op("GetContactEventHistory", "This method can be used to get the events a contact is attending.",
        (_p("email", S),), ListOf(CONTACT_EVENT_HISTORY)),
    _op("GetContactEventHistory2", "This method can be used to get the events a contact is attending.",
        (_p("email", S),), ListOf(CONTACT_EVENT_HISTORY2)),
    _op("GetBookableSessions", "This method can be used to retrieve all bookable sessions for an event.",
        (_p("eventId", N),), ListOf(BOOKABLE_SESSION)),
    _op("SetEventExternalSystemId", "This method can be used to update an event's externalSystemId.",
        (_p("request", EXTERNAL_SYSTEM_ID_REQUEST),), None),
    _op("GetTicketTypeById", "This method can be used to retrieve a single ticket type for an event.",
        (_p("ticketTypeId", N),), TICKET_TYPE),
    _op("GetTicketTypes2",
        "This method can be used to retrieve all ticket types for an event, with ExternalSite and MinAge populated.",
        (_p("eventId", N),), ListOf(TICKET_TYPE)),
    # Bookings
    _op("GetBooking", "This method retrieves a booking.", (_p("bookingId", N),), BOOKING),
    _op("GetBookingsByEmail",
        "This method can be used to retrieve all bookings for an event where the lead attendee has the "
        "specified email address.", (_p("eventId", N), _p("email", S)), ListOf(BOOKING)),
    _op("GetBookingsBatch",
        "This method can be used to retrieve all bookings for an event in batches for paging results.",
        (_p("eventId", N), _p("skip", N), _p("size", N)), ListOf(BOOKING)),
    _op("GetExtBookingsBatch",
        "This method can be used to retrieve all bookings for an event with extended info, in batches for "
        "paging results.", (_p("eventId", N), _p("skip", N), _p("size", N)), ListOf(BOOKING_EXT)),
    _op("SubmitSimpleBooking",
        "This method can be used to create a simple one person booking using an existing global contact. This "
        "will also send any BookingUpdated trigger emails.",
        (_p("eventid", N), _p("attendeeTypeId", N), _p("ticketTypeId", N), _p("contactId", N)), SIMPLE_BOOKING),
    _op("SubmitSimpleBooking2",
        "This method can be used to create a simple one person booking using an existing global contact. This "
        "will also send any BookingCompleted trigger emails.",
        (_p("eventid", N), _p("attendeeTypeId", N), _p("ticketTypeId", N), _p("contactId", N)), SIMPLE_BOOKING),
    _op("SubmitSimpleBookingWithBookingStatus2",
        "This method can be used to create a simple one person booking with a specific status, using an "
        "existing global contact. This will also send any trigger emails based on the bookingStatusId passed in.",
        (_p("eventId", N), _p("attendeeTypeId", N), _p("ticketTypeId", N), _p("bookingStatusId", N),
         _p("contactId", N)), SIMPLE_BOOKING),
    _op("SubmitBookingWithGlobalContact",
        "This method can be used to submit a booking and attach a global contact to an attendee.",
        (_p("eventId", N), _p("attendees", ListOf(ATTENDEE_REQUEST2))), BOOKING),
    _op("SubmitBooking2",
        "This method can be used to submit a booking, uses a different attendee request object with additional "
        "fields. Also contains additional fields for the booking table.",
        (_p("eventId", N), _p("attendees", ListOf(ATTENDEE_REQUEST3)), _p("purchaseOrderNumber", S),
         _p("notes", S)), BOOKING),
    _op("AddAttendeesToBooking", "This method can be used to add attendees to an existing booking.",
        (_p("bookingId", N), _p("eventId", N), _p("attendees", ListOf(ATTENDEE_REQUEST))), BOOKING),
    # Attendees, abstracts, invoices
    _op("GetAttendeesByEventSurname",
        "This method can be used to retrieve the details of attendee's based on the search criteria specified.",
        (_p("eventId", N), _p("surname", S)), ListOf(SURNAME_SEARCH)),
    _op("CancelAttendee",
        "This operation updates an attendee and sets its status to the default cancelled status.",
        (_p("attendeeReference", S),), None),
    _op("GetSubmissionDetail", "This method can be used to retrieve an abstract submission given a booking reference.",
        (_p("bookingId", N),), SUBMISSION),
    _op("GetInvoiceDetails", "This method can be used to retrieve the invoice details for the provided secure key.",
        (_p("secureKey", S),), INVOICE),
)

SERVICE = Service(name="SymphonyAPI", title="Symphony API V1.0", namespace=NAMESPACE, path=PATH,
                  operations=OPERATIONS, header=AUTHENTICATION_HEADER)
