"""The template document behind a G4 link: a small Word file (Office Open XML) and its HTML preview.
The text is a stand-in that names the agreement, the language and the country; not Microsoft's text."""
from __future__ import annotations

import io
import zipfile
from html import escape

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
         '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>')


def lines(language: str, country: str) -> list[str]:
    return ["Microsoft Customer Agreement", f"Language: {language}. Country: {country}.",
            "Simulated by pcsim: a stand-in for the template document, not the agreement's text."]


def word_document(language: str, country: str) -> bytes:
    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>" for text in lines(language, country))
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{paragraphs}</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        # Fixed timestamps: the same link's document is the same bytes every time.
        for name, text in (("[Content_Types].xml", TYPES), ("_rels/.rels", RELS), ("word/document.xml", body)):
            package.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), text)
    return out.getvalue()


def html_preview(language: str, country: str) -> bytes:
    title, *rest = lines(language, country)
    paragraphs = "".join(f"<p>{escape(text)}</p>" for text in rest)
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8"><title>{escape(title)}'
            f"</title></head><body><h1>{escape(title)}</h1>{paragraphs}</body></html>").encode()
