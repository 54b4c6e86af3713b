"""Reports to the ICO, NCSC, police and insurer: facts -> a neutral document -> PDF or DOCX.

Each recipient has a module that turns the frozen facts of a report version into a
:class:`~incidentroom.breach.reports.document.Document`; ``render_pdf`` and ``render_docx``
know nothing about recipients, so every report renders the same way in both formats.
"""
