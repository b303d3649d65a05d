"""The printable return slip of a drop-off return: a one-page PDF the customer puts on the parcel.

It carries the RMA as text, as a Code 39 barcode and as a QR code (the warehouse scans
either), the return address with its phone number, who pays the postage as the deciding
rule says (元払い: the sender pays; 着払い: the shop pays on delivery), and the items.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import segno
from flask_babel import gettext
from fpdf import FPDF

from returns_service.returns.models import ReturnRequest
from returns_service.returns.notices import format_address
from returns_service.shop import ShopSettings
from rules.actions import ShippingPayer


class SlipFontMissing(RuntimeError):
    """The font the slip is set in is not where the setting says."""


def postage_payer(request: ReturnRequest) -> ShippingPayer:
    """Who pays the return postage: the shop if any approved line's rule says so."""
    payers = {line.action.return_shipping_paid_by for line in request.lines if line.decision}
    return ShippingPayer.SHOP if ShippingPayer.SHOP in payers else ShippingPayer.CUSTOMER


def postage_words(payer: ShippingPayer) -> str:
    """The postage line of the slip and the status page, in the page's language."""
    if payer is ShippingPayer.SHOP:
        return gettext("Postage: we pay on delivery (cash on delivery, 着払い).")
    return gettext("Postage: please pay when you send the parcel (元払い).")


def _font(config: Mapping[str, Any]) -> Path:
    path = Path(config["SLIP_FONT_PATH"])
    if not path.is_file():
        raise SlipFontMissing(
            f"RETURNS_SLIP_FONT_PATH: no font at {path}; install fonts-ipafont-gothic "
            "or point the setting at a TrueType font with Japanese glyphs"
        )
    return path


def _qr_png(text: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=2)
    out.seek(0)
    return out


def return_slip(request: ReturnRequest, settings: ShopSettings, locale: str) -> bytes:
    """The slip as PDF bytes, its words in the page's language (``locale`` sets the layout)."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"{settings.shop_name} {request.rma}")
    pdf.add_font("slip", fname=str(_font(settings.config)))
    pdf.add_page()
    pdf.set_font("slip", size=20)
    pdf.cell(0, 12, gettext("Return slip"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("slip", size=11)
    pdf.cell(0, 7, settings.shop_name, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("slip", size=16)
    pdf.cell(0, 10, gettext("Return number (RMA): %(rma)s", rma=request.rma))
    pdf.image(_qr_png(request.rma), x=160, y=12, w=36, h=36)
    pdf.code39(f"*{request.rma}*", x=12, y=pdf.get_y() + 12, w=1.2, h=16)
    pdf.set_y(pdf.get_y() + 34)
    pdf.set_font("slip", size=11)
    pdf.cell(0, 7, gettext("Order %(number)s", number=request.order.number))
    pdf.ln(10)
    pdf.set_font("slip", size=13)
    pdf.cell(0, 8, gettext("Send the parcel to"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("slip", size=12)
    country = request.order.shipping_address.get("country")
    pdf.multi_cell(0, 7, format_address(settings.return_address(country), locale))
    pdf.ln(3)
    pdf.multi_cell(0, 7, postage_words(postage_payer(request)))
    pdf.ln(3)
    pdf.set_font("slip", size=13)
    pdf.cell(0, 8, gettext("Items in the parcel"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("slip", size=12)
    for line in request.lines:
        pdf.multi_cell(0, 7, f"・{line.order_line.title} × {line.quantity}")
    pdf.ln(4)
    pdf.set_font("slip", size=10)
    pdf.multi_cell(
        0,
        6,
        gettext("Put this slip in the parcel, or write the return number on the outside."),
    )
    return bytes(pdf.output())
