# ruff: noqa: E501  (the vendor's document, line for line)
"""The Symphony API V1.0 document (../shared/seeds/001_0771b3dd8f1a2025.txt: the vendor's
?op=GenerateTokenForContact page, flattened to text), kept here verbatim so that the tests that use
its examples run wherever the repository is checked out."""

from __future__ import annotations

PAGE = '''\
Symphony API V1.0


Click here for a complete list of operations.

GenerateTokenForContact

This method can be used to generate a unique token that can later be used with the VerifyTokenForContact method. Each call to this method will delete all other tokens for this 'contactId' and 'tokenType' combination. Options for 'tokenType' are [ContactRegistration]

Test

To test the operation using the HTTP POST protocol, click the 'Invoke' button.
Parameter Value
tokenType:
contactId:
isSingleUse:

SOAP 1.1

The following is a sample SOAP 1.1 request and response. The placeholders shown need to be replaced with actual values.

POST /API/1_0/SOAP/SymphonyAPI.asmx HTTP/1.1
Host: developer.sym-online.com
Content-Type: text/xml; charset=utf-8
Content-Length: length
SOAPAction: "https://developer.sym-online.com/API/1_0/SOAP/GenerateTokenForContact"

<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header>
    <AuthenticationHeader xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <Timestamp>string</Timestamp>
      <Operation>string</Operation>
      <Signature>string</Signature>
      <APIKey>string</APIKey>
    </AuthenticationHeader>
  </soap:Header>
  <soap:Body>
    <GenerateTokenForContact xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <tokenType>string</tokenType>
      <contactId>int</contactId>
      <isSingleUse>boolean</isSingleUse>
    </GenerateTokenForContact>
  </soap:Body>
</soap:Envelope>
HTTP/1.1 200 OK
Content-Type: text/xml; charset=utf-8
Content-Length: length

<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <GenerateTokenForContactResponse xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <GenerateTokenForContactResult>
        <ContactId>int</ContactId>
        <ContactEmail>string</ContactEmail>
      </GenerateTokenForContactResult>
    </GenerateTokenForContactResponse>
  </soap:Body>
</soap:Envelope>

SOAP 1.2

The following is a sample SOAP 1.2 request and response. The placeholders shown need to be replaced with actual values.

POST /API/1_0/SOAP/SymphonyAPI.asmx HTTP/1.1
Host: developer.sym-online.com
Content-Type: application/soap+xml; charset=utf-8
Content-Length: length

<?xml version="1.0" encoding="utf-8"?>
<soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap12="http://www.w3.org/2003/05/soap-envelope">
  <soap12:Header>
    <AuthenticationHeader xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <Timestamp>string</Timestamp>
      <Operation>string</Operation>
      <Signature>string</Signature>
      <APIKey>string</APIKey>
    </AuthenticationHeader>
  </soap12:Header>
  <soap12:Body>
    <GenerateTokenForContact xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <tokenType>string</tokenType>
      <contactId>int</contactId>
      <isSingleUse>boolean</isSingleUse>
    </GenerateTokenForContact>
  </soap12:Body>
</soap12:Envelope>
HTTP/1.1 200 OK
Content-Type: application/soap+xml; charset=utf-8
Content-Length: length

<?xml version="1.0" encoding="utf-8"?>
<soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap12="http://www.w3.org/2003/05/soap-envelope">
  <soap12:Body>
    <GenerateTokenForContactResponse xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <GenerateTokenForContactResult>
        <ContactId>int</ContactId>
        <ContactEmail>string</ContactEmail>
      </GenerateTokenForContactResult>
    </GenerateTokenForContactResponse>
  </soap12:Body>
</soap12:Envelope>

HTTP GET

The following is a sample HTTP GET request and response. The placeholders shown need to be replaced with actual values.

GET /API/1_0/SOAP/SymphonyAPI.asmx/GenerateTokenForContact?tokenType=string&contactId=string&isSingleUse=string HTTP/1.1
Host: developer.sym-online.com
HTTP/1.1 200 OK
Content-Type: text/xml; charset=utf-8
Content-Length: length

<?xml version="1.0" encoding="utf-8"?>
<ContactTokenResponse xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
  <ContactId>int</ContactId>
  <ContactEmail>string</ContactEmail>
</ContactTokenResponse>

HTTP POST

The following is a sample HTTP POST request and response. The placeholders shown need to be replaced with actual values.

POST /API/1_0/SOAP/SymphonyAPI.asmx/GenerateTokenForContact HTTP/1.1
Host: developer.sym-online.com
Content-Type: application/x-www-form-urlencoded
Content-Length: length

tokenType=string&contactId=string&isSingleUse=string
HTTP/1.1 200 OK
Content-Type: text/xml; charset=utf-8
Content-Length: length

<?xml version="1.0" encoding="utf-8"?>
<ContactTokenResponse xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
  <ContactId>int</ContactId>
  <ContactEmail>string</ContactEmail>
</ContactTokenResponse>'''


def lines(first: int, last: int) -> str:
    """Lines ``first`` to ``last`` of the document (1-based, inclusive, as the digest cites them)."""
    return "\n".join(PAGE.splitlines()[first - 1:last])
