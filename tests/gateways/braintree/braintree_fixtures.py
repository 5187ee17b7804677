"""Load an XML fixture the way the SDK does (XmlUtil.dict_from_xml, then the resource class)."""

from __future__ import annotations

import pathlib

import braintree
from braintree.util.xml_util import XmlUtil

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
CLASSES = {"transaction": braintree.Transaction, "subscription": braintree.Subscription, "plan": braintree.Plan,
           "customer": braintree.Customer}


def resource(name: str):
    root, attributes = next(iter(XmlUtil.dict_from_xml((FIXTURES / f"{name}.xml").read_bytes()).items()))
    if root == "dispute":
        return braintree.Dispute(attributes)
    return CLASSES[root](None, attributes)
