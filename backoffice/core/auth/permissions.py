"""Operations, and which principals may call them.

Dialects name the operation each route performs; the core decides whether the principal may.
Staff have every operation unless their credential lists a narrower set. Debtor principals
(customers using a debtor API key) have exactly ``DEBTOR_OPERATIONS``.
"""

from __future__ import annotations

from ..errors import Forbidden
from .principal import Principal

# What a customer may do with a debtor key: read products, place and change their own orders
# and quotes, read their transactions and their own account.
DEBTOR_OPERATIONS = frozenset({
    "InventoryItem.Get",
    "SalesOrder.List", "SalesOrder.Create", "SalesOrder.Get", "SalesOrder.Update",
    "SalesOrder.Save", "SalesOrder.Abandon",
    "SalesOrderLine.Get", "SalesOrderLine.Create", "SalesOrderLine.Update", "SalesOrderLine.Delete",
    "SalesQuote.List", "SalesQuote.Create", "SalesQuote.Get", "SalesQuote.Update",
    "SalesQuote.Save", "SalesQuote.Abandon",
    "SalesQuoteLine.Get", "SalesQuoteLine.Create", "SalesQuoteLine.Update", "SalesQuoteLine.Delete",
    "DebtorTransaction.List",
    "Debtor.GetOwn",
    "Session.KeepAlive",
})


def allowed(principal: Principal, operation: str) -> bool:
    if principal.is_debtor:
        return operation in DEBTOR_OPERATIONS
    if principal.permissions is None:
        return True
    return operation in principal.permissions or "*" in principal.permissions


def require(principal: Principal, operation: str) -> None:
    if not allowed(principal, operation):
        raise Forbidden(f"You do not have permission to perform {operation}", code="Forbidden")
