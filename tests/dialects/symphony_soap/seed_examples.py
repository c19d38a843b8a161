"""The Symphony API document's own examples (seed 001, the ?op=GenerateTokenForContact page), cut
verbatim at the request/response boundaries the flattening merged (see
docs/dev/symphony-soap-seed-digest.md, section 3.2). Placeholders are the XSD type names, as on the page."""

from __future__ import annotations

# Seed lines 22-26.
SOAP11_REQUEST_HEADERS = '''\
POST /API/1_0/SOAP/SymphonyAPI.asmx HTTP/1.1
Host: developer.sym-online.com
Content-Type: text/xml; charset=utf-8
Content-Length: length
SOAPAction: "https://developer.sym-online.com/API/1_0/SOAP/GenerateTokenForContact"
'''

# Seed lines 28-45.
SOAP11_REQUEST = '''\
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
'''

# Seed lines 50-60.
SOAP11_RESPONSE = '''\
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
'''

# Seed lines 66-69.
SOAP12_REQUEST_HEADERS = '''\
POST /API/1_0/SOAP/SymphonyAPI.asmx HTTP/1.1
Host: developer.sym-online.com
Content-Type: application/soap+xml; charset=utf-8
Content-Length: length
'''

# Seed lines 71-88.
SOAP12_REQUEST = '''\
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
'''

# Seed lines 93-103.
SOAP12_RESPONSE = '''\
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
'''

# Seed lines 109-109.
HTTP_GET_REQUEST_LINE = '''\
GET /API/1_0/SOAP/SymphonyAPI.asmx/GenerateTokenForContact?tokenType=string&contactId=string&isSingleUse=string HTTP/1.1
'''

# Seed lines 115-119.
HTTP_GET_RESPONSE = '''\
<?xml version="1.0" encoding="utf-8"?>
<ContactTokenResponse xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
  <ContactId>int</ContactId>
  <ContactEmail>string</ContactEmail>
</ContactTokenResponse>
'''

# Seed lines 125-128.
HTTP_POST_REQUEST_HEADERS = '''\
POST /API/1_0/SOAP/SymphonyAPI.asmx/GenerateTokenForContact HTTP/1.1
Host: developer.sym-online.com
Content-Type: application/x-www-form-urlencoded
Content-Length: length
'''

# Seed lines 130-130.
HTTP_POST_BODY = '''\
tokenType=string&contactId=string&isSingleUse=string
'''

# Seed lines 135-139.
HTTP_POST_RESPONSE = '''\
<?xml version="1.0" encoding="utf-8"?>
<ContactTokenResponse xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
  <ContactId>int</ContactId>
  <ContactEmail>string</ContactEmail>
</ContactTokenResponse>
'''
