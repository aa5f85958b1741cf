"""PDF through WeasyPrint, an optional extra (`pip install 'certeval[pdf]'`)."""

from __future__ import annotations

from . import ReportUnavailable


def html_to_pdf(html: str) -> bytes:
    try:
        import weasyprint
    except ImportError:
        raise ReportUnavailable(
            "PDF output needs the optional extra: pip install 'certeval[pdf]'"
            " (WeasyPrint, with the Pango libraries installed)"
        ) from None
    except OSError as e:  # WeasyPrint is installed but its system libraries are missing
        raise ReportUnavailable(f"WeasyPrint cannot start: {e}") from None
    # no creation date in the metadata: the same report gives the same bytes
    document = weasyprint.HTML(string=html).render()
    document.metadata.created = None
    document.metadata.modified = None
    pdf: bytes = document.write_pdf(identifier=b"certeval", pdf_variant=None)
    return pdf
