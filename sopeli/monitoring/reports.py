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
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Indicators")[:31]
    header, rows = indicator_table(lag)
    ws.append([lag.name])
    ws.append([_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    money = wb.create_sheet(_("Money")[:31])
    header, rows = ledger_table(commitments(lag))
    money.append(header)
    for cell in money[1]:
        cell.font = Font(bold=True)
    for row in rows:
        money.append(row)
    for row in money.iter_rows(min_row=2, min_col=3):
        for cell in row:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def donor_pdf(lag, *, request=None) -> bytes:
    from weasyprint import HTML

    data = selectors.lag_dashboard(lag)
    html = render_to_string("monitoring/donor_pdf.html", {"lag": lag, **data, "generated": timezone.localtime()}, request=request)
    base = request.build_absolute_uri("/") if request is not None else "."
    return HTML(string=html, base_url=base).write_pdf()
