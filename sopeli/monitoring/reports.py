"""The donor report: an XLSX (indicator table, money table) and a PDF summary (WeasyPrint, Georgian renders).

Both read the same selectors as the dashboard, so the figures a donor downloads are the ones on screen.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.monitoring import selectors
from sopeli.projects.selectors import commitments, ledger_table


def indicator_table(lag) -> tuple[list[str], list[list]]:
    header = [_("Code"), _("Indicator"), _("Unit"), _("Kind"), _("Baseline"), _("Target"), _("Planned by projects"),
              _("Projects reporting"), _("Achieved by projects"), _("Current value"), _("Progress (%)"), _("Women"), _("Men")]
    rows = []
    for p in selectors.indicator_progress(lag):
        i = p.indicator
        rows.append([i.code, i.name, i.unit, i.get_kind_display(), i.baseline_value, i.target_value, p.planned, p.projects,
                     p.contribution, p.value, p.percent, p.by_gender.get(str(selectors.Gender.FEMALE.label)),
                     p.by_gender.get(str(selectors.Gender.MALE.label))])
    return header, rows


def donor_xlsx(lag) -> bytes:
    """Write-only workbook: rows stream to a temporary file as they are added, so memory stays flat
    however many rows the sheets hold."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def styled(ws, row, *, font=None, number_format=None, from_col=1):
        cells = []
        for i, value in enumerate(row, start=1):
            cell = WriteOnlyCell(ws, value=value)
            if font is not None:
                cell.font = font
            if number_format is not None and i >= from_col:
                cell.number_format = number_format
            cells.append(cell)
        return cells

    ws = wb.create_sheet(_("Indicators")[:31])
    header, rows = indicator_table(lag)
    ws.append([lag.name])
    ws.append([_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append(styled(ws, header, font=bold))
    for row in rows:
        ws.append(row)
    money = wb.create_sheet(_("Money")[:31])
    header, rows = ledger_table(commitments(lag))
    money.append(styled(money, header, font=bold))
    for row in rows:
        money.append(styled(money, row, number_format="#,##0.00", from_col=3))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def donor_pdf(lag, *, request=None) -> bytes:
    from weasyprint import HTML

    data = selectors.lag_dashboard(lag)
    html = render_to_string("monitoring/donor_pdf.html", {"lag": lag, **data, "generated": timezone.localtime()}, request=request)
    base = request.build_absolute_uri("/") if request is not None else "."
    return HTML(string=html, base_url=base).write_pdf()
